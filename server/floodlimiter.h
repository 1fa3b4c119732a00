#pragma once

#include <QtGlobal>

// A token bucket: `burst` requests at once, then `ratePerSecond` on average.
// A rate of 0 (or a burst of 0) turns limiting off.
class FloodLimiter final
{
public:
    FloodLimiter() = default;
    FloodLimiter(int burst, double ratePerSecond, qint64 nowMs)
        : m_burst(burst)
        , m_ratePerMs(ratePerSecond / 1000.0)
        , m_tokens(burst)
        , m_lastMs(nowMs)
    {
    }

    bool isEnabled() const { return m_burst > 0 && m_ratePerMs > 0; }

    // Spends a token if there is one.
    bool tryTake(qint64 nowMs)
    {
        if (!isEnabled())
            return true;
        m_tokens = qMin(double(m_burst), m_tokens + double(nowMs - m_lastMs) * m_ratePerMs);
        m_lastMs = nowMs;
        if (m_tokens < 1.0)
            return false;
        m_tokens -= 1.0;
        return true;
    }

private:
    int m_burst = 0;
    double m_ratePerMs = 0;
    double m_tokens = 0;
    qint64 m_lastMs = 0;
};
