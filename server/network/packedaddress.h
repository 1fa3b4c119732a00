#pragma once

#include <QHostAddress>

#include <cstring>

// An IP address in 17 bytes of the object that holds it. A QHostAddress
// keeps its value in an allocation of its own (56 bytes and the heap's
// overhead); a connection keeps its peer's address for as long as it lives
// and looks at it rarely (a log line, a ban, a limit), so it keeps it packed
// and unpacks it when asked. An IPv6 scope (the "%eth0" of a link-local
// address) is not kept.
class PackedAddress final
{
public:
    PackedAddress() = default;
    explicit PackedAddress(const QHostAddress &address)
    {
        switch (address.protocol()) {
        case QAbstractSocket::IPv4Protocol: {
            m_protocol = Protocol::IPv4;
            const quint32 v4 = address.toIPv4Address();
            std::memcpy(m_bytes, &v4, sizeof v4);
            break;
        }
        case QAbstractSocket::IPv6Protocol: {
            m_protocol = Protocol::IPv6;
            const Q_IPV6ADDR v6 = address.toIPv6Address();
            std::memcpy(m_bytes, v6.c, sizeof m_bytes);
            break;
        }
        default: break;
        }
    }

    QHostAddress unpacked() const
    {
        switch (m_protocol) {
        case Protocol::IPv4: {
            quint32 v4 = 0;
            std::memcpy(&v4, m_bytes, sizeof v4);
            return QHostAddress(v4);
        }
        case Protocol::IPv6: {
            Q_IPV6ADDR v6;
            std::memcpy(v6.c, m_bytes, sizeof m_bytes);
            return QHostAddress(v6);
        }
        case Protocol::None: break;
        }
        return QHostAddress();
    }

private:
    enum class Protocol : quint8 { None, IPv4, IPv6 };
    quint8 m_bytes[16] = {};
    Protocol m_protocol = Protocol::None;
};
