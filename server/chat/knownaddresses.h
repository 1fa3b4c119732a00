#pragma once

#include <QHash>
#include <QString>

// Addresses that logged in rightly lately, for the hashing queue's order: a
// login from one of them, with no failure counted against it, goes before
// a storm of guesses. Bounded: past `MaxAddresses` no new one is noted
// until old ones are forgotten.
class KnownAddresses final
{
public:
    static constexpr qint64 RememberMs = 24 * 3600 * 1000LL;
    static constexpr qsizetype MaxAddresses = 100'000;

    void remember(const QString &address, qint64 nowMs)
    {
        if (m_lastLoginMs.size() < MaxAddresses || m_lastLoginMs.contains(address))
            m_lastLoginMs.insert(address, nowMs);
    }
    bool contains(const QString &address, qint64 nowMs) const
    {
        const auto it = m_lastLoginMs.constFind(address);
        return it != m_lastLoginMs.constEnd() && *it + RememberMs > nowMs;
    }
    void forgetOld(qint64 nowMs)
    {
        m_lastLoginMs.removeIf([nowMs](const auto &entry) { return entry.value() + RememberMs <= nowMs; });
    }
    qsizetype size() const { return m_lastLoginMs.size(); }

private:
    QHash<QString, qint64> m_lastLoginMs;
};
