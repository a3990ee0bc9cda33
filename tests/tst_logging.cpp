#include "TestEnvironment.h"
#include "core/Logging.h"

#include <QDir>
#include <QFile>
#include <QtTest>

using namespace Revenge;

// The rotating log file: every message lands in revenge.log with time, level and category;
// files rotate at the size limit and only `keep` old ones remain.
class TestLogging : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rotatesAndKeepsABoundedHistory();
};

void TestLogging::rotatesAndKeepsABoundedHistory()
{
    auto dir = Test::makeTempDir(QStringLiteral("revenge-log"));
    const QString logDir = dir->path() + QStringLiteral("/logs");
    Logging::install(logDir, 2000, 2);
    const auto restore = qScopeGuard([] {
        Logging::uninstall();
        qInstallMessageHandler(nullptr);
    });

    qCInfo(lcServer) << "first message";
    for (int i = 0; i < 100; ++i)
        qCWarning(lcDb).noquote() << QStringLiteral("line %1 ").arg(i) +
                                         QString(40, QLatin1Char('x'));
    qCInfo(lcServer) << "last message";

    QVERIFY(QFile::exists(logDir + QStringLiteral("/revenge.log")));
    QVERIFY(QFile::exists(logDir + QStringLiteral("/revenge.log.1")));
    QVERIFY(QFile::exists(logDir + QStringLiteral("/revenge.log.2")));
    QVERIFY(!QFile::exists(logDir + QStringLiteral("/revenge.log.3")));
    for (const QString &name : QDir(logDir).entryList(QDir::Files))
        QVERIFY2(QFileInfo(logDir + QLatin1Char('/') + name).size() <= 2000, qPrintable(name));

    QFile current(logDir + QStringLiteral("/revenge.log"));
    QVERIFY(current.open(QIODevice::ReadOnly));
    const QByteArray text = current.readAll();
    QVERIFY(text.contains("INFO  revenge.server: last message"));
    QVERIFY(!text.contains("first message")); // rotated away
    QVERIFY(text.contains("WARN  revenge.db: line 99"));
    // Lines start with an ISO-8601 UTC timestamp.
    QVERIFY(
        QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z "))
            .match(QString::fromUtf8(text))
            .hasMatch());
}

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
