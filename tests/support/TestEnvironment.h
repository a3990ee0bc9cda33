#pragma once

#include <QString>
#include <QTemporaryDir>
#include <functional>
#include <memory>

namespace Revenge::Test {

// A temporary directory that an unprivileged service user can enter (tests run as root in CI,
// and PostgreSQL then runs as `postgres`). Removed on destruction.
std::unique_ptr<QTemporaryDir> makeTempDir(const QString &prefix = QStringLiteral("revenge-test"));

// The revenge executable under test (REVENGE_BINARY, set by ctest).
QString revengeBinary();

// Waits (processing events) until `predicate` holds or timeoutMs passes.
bool waitUntil(const std::function<bool()> &predicate, int timeoutMs);

} // namespace Revenge::Test
