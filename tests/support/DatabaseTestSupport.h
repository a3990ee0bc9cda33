#pragma once

#include <QByteArray>

namespace Revenge {
class DatabasePool;
} // namespace Revenge

namespace Revenge::Test {

// Runs one SQL statement on a pooled connection; false, with a warning naming the statement and
// the error, when it fails. (queryScalar in JobTestSupport.h reads a single value.)
bool execSql(DatabasePool &pool, const QByteArray &statement);

} // namespace Revenge::Test
