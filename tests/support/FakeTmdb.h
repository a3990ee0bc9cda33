#pragma once

#include "TestHttpServer.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QString>

namespace Revenge {

// A local HTTP server speaking TMDb API v3 for a handful of recorded-style fixtures: The Matrix
// (603) and The Matrix Reloaded (604), the Dune remake pair (841 from 1984, 438631 from 2021),
// Amélie (194, searched by its French title too), Breaking Bad (1396) with S01E01, and find by
// IMDb id. Same shapes as api.themoviedb.org: search results, details with append_to_response,
// {"status_code","status_message","success"} errors (7 for a bad key, 34 for 404).
// Runs in its own thread on 127.0.0.1:<random port> (TestHttpServer, which also keeps the
// request log: a request's path includes the "/3" prefix, atMs is when it arrived and status
// what it was answered); base URL is baseUrl() (".../3").
class FakeTmdb : public TestHttpServer
{
public:
    static constexpr const char *kApiKey = "0123456789abcdef0123456789abcdef";
    // A v4 read access token (a JWT: header.payload.signature).
    static constexpr const char *kBearerToken =
        "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ0ZXN0Iiwic2NvcGVzIjpbImFwaV9yZWFkIl19.c2lnbmF0dXJl";

    FakeTmdb();
    ~FakeTmdb() override;

    QString baseUrl() const;

    // The next n requests answer `status` with TMDb's error body (429: status_code 25 and
    // Retry-After: retryAfterSeconds when >= 0; 5xx: status_code 11).
    void failNextRequests(int n, int status, int retryAfterSeconds = -1);
    // The next n requests answer 200 with a body that is not JSON.
    void sendBadJsonNext(int n);
    // The server's own limit (GCRA, like TMDb's edge): over it, 429 with Retry-After.
    // rate <= 0 turns it off.
    void setRateLimit(double ratePerSecond, int burst);

protected:
    Reply handle(const Request &request) override;

private:
    Reply route(const Request &request);

    QElapsedTimer m_clock; // the rate limit's

    mutable QMutex m_mutex;
    int m_failCount = 0;
    int m_failStatus = 503;
    int m_failRetryAfter = -1;
    int m_badJsonCount = 0;
    double m_rate = 0;
    int m_burst = 1;
    double m_tatMs = 0; // GCRA theoretical arrival time
};

} // namespace Revenge
