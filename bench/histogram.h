#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

// Latencies in microseconds, kept whole: a run has at most some millions of
// samples, and exact percentiles are worth the memory.
class Histogram
{
public:
    void add(int64_t micros) { m_samples.push_back(micros); }
    size_t count() const { return m_samples.size(); }

    // q in [0, 1]; 0 when there are no samples.
    double percentileMs(double q)
    {
        if (m_samples.empty())
            return 0;
        if (!m_sorted) {
            std::sort(m_samples.begin(), m_samples.end());
            m_sorted = true;
        }
        const size_t index = std::min(m_samples.size() - 1, size_t(q * double(m_samples.size())));
        return double(m_samples[index]) / 1000.0;
    }

private:
    std::vector<int64_t> m_samples;
    bool m_sorted = false;
};
