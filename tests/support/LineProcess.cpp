#include "LineProcess.h"

#include "TestEnvironment.h"

#include <QDebug>

namespace Revenge::Test {

LineProcess::LineProcess(const QString &program, const QStringList &arguments, QString name)
    : m_name(std::move(name))
{
    m_process.setProgram(program);
    m_process.setArguments(arguments);
}

LineProcess::~LineProcess()
{
    kill();
}

bool LineProcess::start(const QString &readyLine, int timeoutMs)
{
    m_process.start();
    if (!m_process.waitForStarted(5000)) {
        qWarning().noquote() << "cannot start" << m_process.program() << m_process.errorString();
        return false;
    }
    return waitForLine(readyLine, timeoutMs);
}

QStringList LineProcess::lines()
{
    read();
    return m_lines;
}

bool LineProcess::waitForLine(const QString &line, int timeoutMs, int occurrences)
{
    return waitUntil([&] { return count(line) >= occurrences || !isRunning(); }, timeoutMs) &&
           count(line) >= occurrences;
}

void LineProcess::write(const QByteArray &data)
{
    m_process.write(data);
    m_process.waitForBytesWritten(1000);
}

void LineProcess::kill()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool LineProcess::waitForExit(int timeoutMs)
{
    return waitUntil([&] { return m_process.state() == QProcess::NotRunning; }, timeoutMs);
}

QString LineProcess::log()
{
    read();
    return QStringLiteral("--- %1 stdout:\n%2\n--- %1 stderr:\n%3")
        .arg(m_name, m_lines.join(QLatin1Char('\n')), QString::fromUtf8(m_stderr.right(6000)));
}

void LineProcess::read()
{
    m_stdout += m_process.readAllStandardOutput();
    m_stderr += m_process.readAllStandardError();
    qsizetype nl;
    while ((nl = m_stdout.indexOf('\n')) >= 0) {
        m_lines << QString::fromUtf8(m_stdout.left(nl)).trimmed();
        m_stdout.remove(0, nl + 1);
    }
}

} // namespace Revenge::Test
