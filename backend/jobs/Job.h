#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <optional>

namespace Revenge {

// River's job states. completed, cancelled and discarded are final and carry finalized_at.
enum class JobState
{
    Available,
    Cancelled,
    Completed,
    Discarded,
    Pending,
    Retryable,
    Running,
    Scheduled
};

QString jobStateName(JobState state);
std::optional<JobState> jobStateFromName(const QString &name);
QList<JobState> allJobStates();
bool isFinal(JobState state);

// One row of jobs.job.
struct Job
{
    qint64 id = 0;
    JobState state = JobState::Available;
    int attempt = 0;
    int maxAttempts = 25;
    int priority = 1;
    QString queue;
    QString kind;
    QJsonObject args;
    QJsonObject metadata;
    QJsonArray errors; // [{attempt, at, error}]
    QStringList attemptedBy;
    QStringList tags;
    QDateTime scheduledAt;
    QDateTime attemptedAt;
    QDateTime createdAt;
    QDateTime finalizedAt;

    QJsonObject toJson() const;
};

} // namespace Revenge

Q_DECLARE_METATYPE(Revenge::JobState)
Q_DECLARE_METATYPE(Revenge::Job)
