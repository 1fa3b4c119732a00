#pragma once

#include <QAbstractSocket>
#include <QHostAddress>
#include <QVariant>

#include <algorithm>
#include <optional>

// The address a connection is counted, banned and logged under: the peer's,
// or, behind a trusted proxy, the client's as its PROXY header said.
struct PeerAddress
{
    QHostAddress address;
    quint16 port = 0;
};

namespace ClientAddress {

using Subnet = QPair<QHostAddress, int>;

// An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d: as
// a.b.c.d, so that it is counted, matched and logged as one address.
inline QHostAddress plain(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

inline bool inAny(const QHostAddress &address, const QList<Subnet> &subnets)
{
    const QHostAddress unmapped = plain(address);
    return std::any_of(subnets.cbegin(), subnets.cend(),
                       [&](const Subnet &subnet) { return unmapped.isInSubnet(subnet); });
}

inline constexpr char AddressProperty[] = "confabClientAddress";
inline constexpr char PortProperty[] = "confabClientPort";

// Remembers a proxied client's address on the socket that carries it.
inline void set(QObject *socket, const PeerAddress &client)
{
    socket->setProperty(AddressProperty, QVariant::fromValue(client.address.toString()));
    socket->setProperty(PortProperty, QVariant::fromValue(client.port));
}

inline PeerAddress of(const QAbstractSocket *socket)
{
    const QVariant address = socket->property(AddressProperty);
    if (address.isValid())
        return {QHostAddress(address.toString()), quint16(socket->property(PortProperty).toUInt())};
    return {socket->peerAddress(), socket->peerPort()};
}

inline std::optional<PeerAddress> proxiedOf(const QObject *socket)
{
    const QVariant address = socket->property(AddressProperty);
    if (!address.isValid())
        return std::nullopt;
    return PeerAddress{QHostAddress(address.toString()), quint16(socket->property(PortProperty).toUInt())};
}

} // namespace ClientAddress
