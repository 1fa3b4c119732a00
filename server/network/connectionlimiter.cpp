#include "connectionlimiter.h"

#include "clientaddress.h"

ConnectionLimiter::ConnectionLimiter(int maxTotal, int maxPerAddress, int socketCeiling, QObject *parent)
    : QObject(parent)
    , m_maxTotal(maxTotal)
    , m_maxPerAddress(maxPerAddress)
    , m_socketCeiling(socketCeiling)
{
}

ConnectionLimiter::~ConnectionLimiter()
{
    // The sockets still watched outlive the counts: nothing to give back to
    // (and no socketsAvailable from a limiter half taken down).
    for (auto &watched : m_counted) {
        disconnect(watched.second.watch);
        watched.second.count.m_limiter = nullptr;
    }
}

QString ConnectionLimiter::addressKey(const QHostAddress &address)
{
    return ClientAddress::plain(address).toString();
}

ConnectionLimiter::Count ConnectionLimiter::count(const QHostAddress &address)
{
    const QString key = addressKey(address);
    ++m_openSockets;
    Count count;
    count.m_limiter = this;
    auto perAddress = m_perAddress.find(key);
    const bool ok = (m_maxTotal <= 0 || m_admitted < m_maxTotal)
                    && (m_maxPerAddress <= 0 || perAddress == m_perAddress.end() || *perAddress < m_maxPerAddress);
    if (ok) {
        ++m_admitted;
        if (perAddress == m_perAddress.end())
            perAddress = m_perAddress.insert(key, 0);
        ++*perAddress;
        count.m_addressKey = perAddress.key();
        count.m_admitted = true;
    }
    return count;
}

bool ConnectionLimiter::admit(QObject *socket, const QHostAddress &address)
{
    Count counted = count(address);
    const bool ok = counted.admitted();
    watch(socket, std::move(counted));
    return ok;
}

void ConnectionLimiter::countOpen(QObject *socket)
{
    ++m_openSockets;
    Count counted;
    counted.m_limiter = this;
    watch(socket, std::move(counted));
}

void ConnectionLimiter::watch(QObject *object, Count count)
{
    Counted &counted = m_counted[object];
    counted.count = std::move(count);
    counted.watch = connect(object, &QObject::destroyed, this, [this, object] { socketClosed(object); });
}

ConnectionLimiter::Count ConnectionLimiter::takeOver(QObject *from)
{
    const auto it = m_counted.find(from);
    if (it == m_counted.end())
        return {};
    disconnect(it->second.watch);
    Count count = std::move(it->second.count);
    m_counted.erase(it);
    return count;
}

void ConnectionLimiter::socketClosed(QObject *object)
{
    const auto counted = m_counted.find(object);
    if (counted == m_counted.end())
        return;
    Count count = std::move(counted->second.count);
    m_counted.erase(counted);
    count.release();
}

void ConnectionLimiter::uncount(const QString &addressKey, bool admitted)
{
    const bool wasAtCeiling = atSocketCeiling();
    --m_openSockets;
    if (admitted) {
        --m_admitted;
        const auto it = m_perAddress.find(addressKey);
        if (it != m_perAddress.end() && --it.value() <= 0)
            m_perAddress.erase(it);
    }
    if (wasAtCeiling && !atSocketCeiling())
        emit socketsAvailable();
}

ConnectionLimiter::Count &ConnectionLimiter::Count::operator=(Count &&other) noexcept
{
    if (this != &other) {
        release();
        m_limiter = std::exchange(other.m_limiter, nullptr);
        m_addressKey = std::exchange(other.m_addressKey, QString());
        m_admitted = std::exchange(other.m_admitted, false);
    }
    return *this;
}

void ConnectionLimiter::Count::release()
{
    if (ConnectionLimiter *limiter = m_limiter.data()) {
        m_limiter = nullptr;
        limiter->uncount(std::exchange(m_addressKey, QString()), std::exchange(m_admitted, false));
    }
}
