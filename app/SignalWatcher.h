#pragma once

#include <QObject>

class QSocketNotifier;

// Turns SIGINT/SIGTERM/SIGHUP into a Qt signal on the main thread (self-pipe: a signal handler may
// only write to a file descriptor).
class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signal);

private:
    QSocketNotifier *m_notifier = nullptr;
};
