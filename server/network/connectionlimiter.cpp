#include "connectionlimiter.h"

#include "clientaddress.h"

ConnectionLimiter::ConnectionLimiter(int maxTotal, int maxPerAddress, int socketCeiling, QObject *parent)
    : QObject(parent)
    , m_maxTotal(maxTotal)
    , m_maxPerAddress(maxPerAddress)
    , m_socketCeiling(socketCeiling)
{
}

QString ConnectionLimiter::addressKey(const QHostAddress &address)
{
    return ClientAddress::plain(address).toString();
}

bool ConnectionLimiter::admit(QObject *socket, const QHostAddress &address)
{
    const QString key = addressKey(address);
    ++m_openSockets;
    const int perAddress = m_perAddress.value(key);
    const bool ok = (m_maxTotal <= 0 || m_admitted < m_maxTotal)
                    && (m_maxPerAddress <= 0 || perAddress < m_maxPerAddress);
    if (ok) {
        ++m_admitted;
        m_perAddress.insert(key, perAddress + 1);
    }
    watch(socket, Counted{key, ok, {}});
    return ok;
}

void ConnectionLimiter::countOpen(QObject *socket)
{
    ++m_openSockets;
    watch(socket, Counted{QString(), false, {}});
}

void ConnectionLimiter::watch(QObject *object, Counted counted)
{
    counted.watch = connect(object, &QObject::destroyed, this, [this, object] { socketClosed(object); });
    m_counted.insert(object, std::move(counted));
}

void ConnectionLimiter::handOver(QObject *from, QObject *to)
{
    const auto it = m_counted.find(from);
    if (it == m_counted.end())
        return;
    Counted counted = std::move(it.value());
    m_counted.erase(it);
    disconnect(counted.watch);
    watch(to, std::move(counted));
}

void ConnectionLimiter::socketClosed(QObject *object)
{
    const auto counted = m_counted.find(object);
    if (counted == m_counted.end())
        return;
    const QString key = counted->addressKey;
    const bool admitted = counted->admitted;
    m_counted.erase(counted);
    const bool wasAtCeiling = atSocketCeiling();
    --m_openSockets;
    if (admitted) {
        --m_admitted;
        const auto it = m_perAddress.find(key);
        if (it != m_perAddress.end() && --it.value() <= 0)
            m_perAddress.erase(it);
    }
    if (wasAtCeiling && !atSocketCeiling())
        emit socketsAvailable();
}
