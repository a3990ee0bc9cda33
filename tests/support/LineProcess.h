#pragma once

#include <QProcess>
#include <QStringList>

namespace Revenge::Test {

// A helper program that a multi-process test drives: started with arguments, read line by line
// on stdout, waited on for the lines it prints, and killed (SIGKILL) when it goes out of scope,
// also when the test fails.
class LineProcess
{
public:
    LineProcess(const QString &program, const QStringList &arguments, QString name);
    virtual ~LineProcess();
    LineProcess(const LineProcess &) = delete;
    LineProcess &operator=(const LineProcess &) = delete;

    QString name() const { return m_name; }
    // Starts the program and waits until it prints `readyLine`.
    bool start(const QString &readyLine, int timeoutMs = 15000);
    bool isRunning() const { return m_process.state() == QProcess::Running; }

    // Lines printed on stdout so far.
    QStringList lines();
    bool hasLine(const QString &line) { return lines().contains(line); }
    int count(const QString &line) { return int(lines().count(line)); }
    // False when the line does not come in time, or the program exits first.
    bool waitForLine(const QString &line, int timeoutMs, int occurrences = 1);

    void write(const QByteArray &data);
    void terminate() { m_process.terminate(); } // SIGTERM
    void kill();                                // SIGKILL, and wait for it
    bool waitForExit(int timeoutMs);
    QProcess &process() { return m_process; }
    // Everything it printed, for a failing test's message.
    QString log();

private:
    void read();

    QProcess m_process;
    QString m_name;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QStringList m_lines;
};

} // namespace Revenge::Test
