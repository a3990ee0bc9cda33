#include "DatabaseTestSupport.h"

#include "db/DatabasePool.h"
#include "db/PgQuery.h"

#include <QDebug>

namespace Revenge::Test {

bool execSql(DatabasePool &pool, const QByteArray &statement)
{
    auto lease = pool.acquire();
    if (!lease) {
        qWarning().noquote() << statement << "-> no database connection";
        return false;
    }
    const PgResult r = pgExec(lease->db(), statement);
    if (!r.ok())
        qWarning().noquote() << statement << "->" << r.error();
    return r.ok();
}

} // namespace Revenge::Test
