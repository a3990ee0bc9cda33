#include "Logging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QMutex>
#include <cstdio>

Q_LOGGING_CATEGORY(lcConfig, "revenge.config")
Q_LOGGING_CATEGORY(lcSecrets, "revenge.secrets")
Q_LOGGING_CATEGORY(lcDb, "revenge.db")
Q_LOGGING_CATEGORY(lcMigrate, "revenge.migrate")
Q_LOGGING_CATEGORY(lcServices, "revenge.services")
Q_LOGGING_CATEGORY(lcHealth, "revenge.health")
Q_LOGGING_CATEGORY(lcHttp, "revenge.http")
Q_LOGGING_CATEGORY(lcServer, "revenge.server")
Q_LOGGING_CATEGORY(lcCache, "revenge.cache")
Q_LOGGING_CATEGORY(lcJobs, "revenge.jobs")
Q_LOGGING_CATEGORY(lcLibrary, "revenge.library")
Q_LOGGING_CATEGORY(lcMetadata, "revenge.metadata")
Q_LOGGING_CATEGORY(lcImages, "revenge.images")

namespace Revenge::Logging {

namespace {

struct Sink
{
    QMutex mutex;
    QFile file;
    QString path;
    qint64 maxBytes = 0;
    int keep = 0;

    void rotate()
    {
        file.close();
        QFile::remove(path + QStringLiteral(".%1").arg(keep));
        for (int i = keep - 1; i >= 1; --i)
            QFile::rename(path + QStringLiteral(".%1").arg(i),
                          path + QStringLiteral(".%1").arg(i + 1));
        if (keep > 0)
            QFile::rename(path, path + QStringLiteral(".1"));
        else
            QFile::remove(path);
        file.open(QIODevice::WriteOnly | QIODevice::Append);
    }
};

Sink *sink()
{
    static Sink s;
    return &s;
}

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "DEBUG";
    case QtInfoMsg:
        return "INFO ";
    case QtWarningMsg:
        return "WARN ";
    case QtCriticalMsg:
        return "ERROR";
    case QtFatalMsg:
        return "FATAL";
    }
    return "?";
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QByteArray line = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() +
                            ' ' + levelName(type) + ' ' +
                            (context.category ? context.category : "default") + ": " +
                            message.toUtf8() + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    Sink *s = sink();
    QMutexLocker lock(&s->mutex);
    if (s->file.isOpen()) {
        if (s->file.size() + line.size() > s->maxBytes)
            s->rotate();
        s->file.write(line);
        s->file.flush();
    }
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

void install(const QString &dir, qint64 maxBytes, int keep)
{
    Sink *s = sink();
    {
        QMutexLocker lock(&s->mutex);
        QDir().mkpath(dir);
        s->path = dir + QStringLiteral("/revenge.log");
        s->maxBytes = maxBytes;
        s->keep = keep;
        s->file.setFileName(s->path);
        if (!s->file.open(QIODevice::WriteOnly | QIODevice::Append))
            std::fprintf(stderr, "revenge: cannot write the log file %s: %s\n", qPrintable(s->path),
                         qPrintable(s->file.errorString()));
    }
    qInstallMessageHandler(handler);
    // Debug output is opt-in (QT_LOGGING_RULES="revenge.db.debug=true"), even in debug builds.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("revenge.*.debug=false"));
}

void uninstall()
{
    Sink *s = sink();
    QMutexLocker lock(&s->mutex);
    s->file.close();
}

} // namespace Revenge::Logging
