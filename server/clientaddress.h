#pragma once

#include <QAbstractSocket>
#include <QHostAddress>
#include <QVariant>

#include <optional>

// The address a connection is counted, banned and logged under: the peer's,
// or, behind a trusted proxy, the client's as its PROXY header said.
struct PeerAddress
{
    QHostAddress address;
    quint16 port = 0;
};

namespace ClientAddress {

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
