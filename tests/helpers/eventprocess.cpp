// revenge_test_eventprocess: one Revenge process's event bus, for the cross-process pub/sub
// tests (tst_eventbus). Not a test itself.
//
//   revenge_test_eventprocess --host H --port P [--password PW] --instance ID
//
// An EventBus with the cache attached (RedisClient for publishing, CacheSubscriber for what
// other processes publish).
//
// stdin, one command a line:
//   PUB <type> <json object>   publish an event on this process's bus
// (end of input quits the process, so a crashed test leaves nothing behind)
//
// stdout protocol, one line each, flushed at once:
//   READY                the subscriber is subscribed for the first time
//   SUBSCRIBED <0|1>     the subscriber lost or regained its subscription (after READY)
//   PUBLISHED <json>     a PUB was published; its local delivery, as Event::toJson()
//   <json>               an event that arrived from the cache (Event::toJson()); one published
//                        here and echoed back would show up as a line like this too
//   ERROR <message>      a bad command line or stdin command

#include "cache/CacheSubscriber.h"
#include "cache/RedisClient.h"
#include "events/EventBus.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QThread>
#include <cstdio>
#include <unistd.h>

using namespace Revenge;

namespace {

void say(const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("revenge.*.debug=false"));
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption host(QStringLiteral("host"), QStringLiteral("Cache host."),
                                  QStringLiteral("host"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Cache port."),
                                  QStringLiteral("port"));
    const QCommandLineOption password(QStringLiteral("password"), QStringLiteral("Password."),
                                      QStringLiteral("password"));
    const QCommandLineOption instance(QStringLiteral("instance"),
                                      QStringLiteral("This process's instance id (the origin)."),
                                      QStringLiteral("id"));
    parser.addOptions({host, port, password, instance});
    parser.process(app);
    if (!parser.isSet(port) || !parser.isSet(instance)) {
        say("ERROR --port and --instance are required");
        return 1;
    }

    RedisEndpoint endpoint;
    endpoint.host = parser.value(host);
    endpoint.port = quint16(parser.value(port).toUInt());
    endpoint.password = parser.value(password);

    RedisClient client(endpoint);
    EventBus bus(parser.value(instance));
    bus.attachCache(&client);
    CacheSubscriber subscriber(endpoint, &bus);

    // Direct: printed on the thread that delivers (stdio is thread-safe). Events this process
    // publishes are delivered on the main thread while `publishing` is set; every other event
    // came from the cache.
    bool publishing = false;
    QThread *mainThread = app.thread();
    QObject::connect(
        &bus, &EventBus::event, &app,
        [&](const Event &e) {
            if (publishing && QThread::currentThread() == mainThread)
                say("PUBLISHED " + e.toJson());
            else
                say(e.toJson());
        },
        Qt::DirectConnection);
    bool ready = false;
    QObject::connect(
        &subscriber, &CacheSubscriber::subscribedChanged, &app,
        [&](bool subscribed) {
            if (subscribed && !ready) {
                ready = true;
                say("READY");
            } else if (ready) {
                say(QByteArray("SUBSCRIBED ") + (subscribed ? "1" : "0"));
            }
        },
        Qt::QueuedConnection);

    QByteArray input;
    QSocketNotifier stdinNotifier(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&stdinNotifier, &QSocketNotifier::activated, &app, [&] {
        char buffer[4096];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n <= 0) {
            stdinNotifier.setEnabled(false);
            app.quit();
            return;
        }
        input.append(buffer, n);
        qsizetype nl;
        while ((nl = input.indexOf('\n')) >= 0) {
            const QByteArray line = input.left(nl).trimmed();
            input.remove(0, nl + 1);
            if (line.isEmpty())
                continue;
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() < 2 || parts.at(0) != "PUB") {
                say("ERROR unknown command: " + line);
                continue;
            }
            const QByteArray json = line.mid(parts.at(0).size() + parts.at(1).size() + 2);
            QJsonParseError error{};
            const QJsonDocument doc = json.isEmpty() ? QJsonDocument(QJsonObject())
                                                     : QJsonDocument::fromJson(json, &error);
            if (!doc.isObject()) {
                say("ERROR not a JSON object: " + json);
                continue;
            }
            publishing = true;
            bus.publish(QString::fromUtf8(parts.at(1)), doc.object());
            publishing = false;
        }
    });

    subscriber.start();
    const int rc = app.exec();
    subscriber.stop();
    return rc;
}
