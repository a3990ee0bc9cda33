#include "Job.h"

namespace Revenge {

namespace {
const char *const kNames[] = {"available", "cancelled", "completed", "discarded",
                              "pending",   "retryable", "running",   "scheduled"};
}

QString jobStateName(JobState state)
{
    return QLatin1String(kNames[int(state)]);
}

std::optional<JobState> jobStateFromName(const QString &name)
{
    for (int i = 0; i < 8; ++i)
        if (name == QLatin1String(kNames[i]))
            return JobState(i);
    return std::nullopt;
}

QList<JobState> allJobStates()
{
    QList<JobState> out;
    for (int i = 0; i < 8; ++i)
        out << JobState(i);
    return out;
}

bool isFinal(JobState state)
{
    return state == JobState::Completed || state == JobState::Cancelled ||
           state == JobState::Discarded;
}

QJsonObject Job::toJson() const
{
    auto time = [](const QDateTime &t) {
        return t.isValid() ? QJsonValue(t.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
    };
    return {{QStringLiteral("id"), id},
            {QStringLiteral("state"), jobStateName(state)},
            {QStringLiteral("attempt"), attempt},
            {QStringLiteral("max_attempts"), maxAttempts},
            {QStringLiteral("priority"), priority},
            {QStringLiteral("queue"), queue},
            {QStringLiteral("kind"), kind},
            {QStringLiteral("args"), args},
            {QStringLiteral("metadata"), metadata},
            {QStringLiteral("errors"), errors},
            {QStringLiteral("attempted_by"), QJsonArray::fromStringList(attemptedBy)},
            {QStringLiteral("tags"), QJsonArray::fromStringList(tags)},
            {QStringLiteral("scheduled_at"), time(scheduledAt)},
            {QStringLiteral("attempted_at"), time(attemptedAt)},
            {QStringLiteral("created_at"), time(createdAt)},
            {QStringLiteral("finalized_at"), time(finalizedAt)}};
}

} // namespace Revenge
