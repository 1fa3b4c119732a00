#include "serverfinder.h"

#include "defaults.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkDatagram>
#include <QNetworkInterface>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

QString ServerFinder::Server::connectAddress() const
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    const QString host = isV4 ? QHostAddress(v4).toString() : u"[%1]"_s.arg(address.toString());
    return u"%1%2:%3"_s.arg(tls ? u"tls://"_s : QString(), host).arg(tcpPort);
}

ServerFinder::ServerFinder(QObject *parent)
    : QAbstractTableModel(parent)
    , m_targets(defaultTargets())
{
    m_window.setSingleShot(true);
    m_window.setInterval(AnswerWindowMs);
    connect(&m_window, &QTimer::timeout, this, &ServerFinder::windowClosed);
    connect(&m_socket, &QUdpSocket::readyRead, this, &ServerFinder::readAnswers);
}

std::optional<ServerFinder::Target> ServerFinder::parseTarget(const QString &text)
{
    const QString trimmed = text.trimmed();
    QString host = trimmed;
    quint16 port = DefaultPort;
    const qsizetype colon = trimmed.lastIndexOf(u':');
    // "host:port" but not a bare IPv6 address.
    if (colon > 0 && trimmed.count(u':') == 1) {
        bool ok = false;
        const uint parsed = trimmed.mid(colon + 1).toUInt(&ok);
        if (!ok || parsed == 0 || parsed > 65535)
            return std::nullopt;
        host = trimmed.left(colon);
        port = quint16(parsed);
    }
    const QHostAddress address(host);
    if (address.isNull())
        return std::nullopt;
    return Target{address, port};
}

QList<ServerFinder::Target> ServerFinder::defaultTargets()
{
    QList<Target> targets;
    const QString configured = qEnvironmentVariable("CONFAB_DISCOVERY_TARGETS");
    if (!configured.isEmpty()) {
        for (const QString &part : configured.split(u',', Qt::SkipEmptyParts)) {
            if (const auto target = parseTarget(part))
                targets.append(*target);
        }
        return targets;
    }
    // IPv4 broadcast on each network this computer is on; IPv6 has no
    // broadcast, and link-local multicast is left out (see docs/client.md).
    for (const QNetworkInterface &interface : QNetworkInterface::allInterfaces()) {
        const auto flags = interface.flags();
        if (!(flags & QNetworkInterface::IsUp) || !(flags & QNetworkInterface::IsRunning)
            || (flags & QNetworkInterface::IsLoopBack) || !(flags & QNetworkInterface::CanBroadcast))
            continue;
        for (const QNetworkAddressEntry &entry : interface.addressEntries()) {
            if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol && !entry.broadcast().isNull())
                targets.append(Target{entry.broadcast(), DefaultPort});
        }
    }
    targets.append(Target{QHostAddress(QHostAddress::LocalHost), DefaultPort});
    return targets;
}

std::optional<ServerFinder::Server> ServerFinder::parseAnswer(const QByteArray &datagram, const QHostAddress &from)
{
    if (datagram.size() > 512)
        return std::nullopt;
    const QJsonObject object = QJsonDocument::fromJson(datagram).object();
    if (object.value("type"_L1).toString() != "server"_L1)
        return std::nullopt;
    const int tcp = object.value("tcp"_L1).toInt(-1);
    const int http = object.value("http"_L1).toInt(-1);
    if (tcp <= 0 || tcp > 65535 || http < 0 || http > 65535 || !object.value("name"_L1).isString())
        return std::nullopt;
    Server server;
    server.name = object.value("name"_L1).toString().left(64);
    server.address = from;
    server.tcpPort = quint16(tcp);
    server.httpPort = quint16(http);
    server.tls = object.value("tls"_L1).toBool();
    server.password = object.value("password"_L1).toBool();
    server.users = qMax<qint64>(0, object.value("users"_L1).toInteger());
    server.rooms = qMax<qint64>(0, object.value("rooms"_L1).toInteger());
    server.version = object.value("version"_L1).toString().left(64);
    const QString fingerprint = object.value("fingerprint"_L1).toString();
    static const QRegularExpression hex(u"^[0-9a-f]{64}$"_s);
    if (server.tls && hex.match(fingerprint).hasMatch())
        server.fingerprint = fingerprint;
    return server;
}

void ServerFinder::look()
{
    // One look at a time: its window (1.5 s) outlasts a server's one answer
    // a second, so every server there can answer the next one.
    if (isLooking())
        return;
    if (m_socket.state() != QAbstractSocket::BoundState)
        m_socket.bind(QHostAddress(QHostAddress::AnyIPv4), 0);
    ++m_round;
    const QByteArray question =
            u"{\"type\":\"discover\",\"protocol\":%1}"_s.arg(Confab::Protocol::Defaults::ProtocolVersion).toUtf8();
    for (const Target &target : std::as_const(m_targets))
        m_socket.writeDatagram(question, target.address, target.port);
    m_window.start();
    emit lookingChanged(true);
}

void ServerFinder::readAnswers()
{
    while (m_socket.hasPendingDatagrams()) {
        const QNetworkDatagram datagram = m_socket.receiveDatagram(513);
        auto server = parseAnswer(datagram.data(), datagram.senderAddress());
        if (!server)
            continue;
        server->round = m_round;
        // The same server heard twice (through a network's broadcast and
        // through 127.0.0.1, when it runs here): one row, under the address
        // others can use too.
        const auto same = [&](const Server &known) {
            if (known.address.isEqual(server->address, QHostAddress::ConvertV4MappedToIPv4))
                return known.tcpPort == server->tcpPort;
            return (known.address.isLoopback() || server->address.isLoopback()) && known.name == server->name
                   && known.tcpPort == server->tcpPort && known.httpPort == server->httpPort;
        };
        const auto it = std::find_if(m_servers.begin(), m_servers.end(), same);
        if (it != m_servers.end()) {
            if (server->address.isLoopback() && !it->address.isLoopback())
                server->address = it->address;
            *it = *server;
            const int row = int(it - m_servers.begin());
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        } else {
            beginInsertRows({}, int(m_servers.size()), int(m_servers.size()));
            m_servers.append(*server);
            endInsertRows();
        }
    }
}

void ServerFinder::windowClosed()
{
    // Whoever did not answer this time is gone.
    for (qsizetype row = m_servers.size() - 1; row >= 0; --row) {
        if (m_servers.at(row).round != m_round) {
            beginRemoveRows({}, int(row), int(row));
            m_servers.removeAt(row);
            endRemoveRows();
        }
    }
    emit lookingChanged(false);
}

const ServerFinder::Server *ServerFinder::serverAt(int row) const
{
    return row >= 0 && row < m_servers.size() ? &m_servers.at(row) : nullptr;
}

int ServerFinder::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_servers.size());
}

int ServerFinder::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ServerFinder::data(const QModelIndex &index, int role) const
{
    const Server *server = serverAt(index.row());
    if (!server)
        return {};
    if (role == Qt::ToolTipRole) {
        QString tip = u"%1 (%2)"_s.arg(server->name, server->version);
        if (!server->fingerprint.isEmpty())
            tip += u"\nCertificate SHA-256: %1"_s.arg(server->fingerprint);
        return tip;
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return server->name;
    case Address:
        return server->connectAddress();
    case People:
        return (server->users == 1 ? tr("1 online") : tr("%1 online").arg(server->users)) + u", "_s
               + (server->rooms == 1 ? tr("1 room") : tr("%1 rooms").arg(server->rooms));
    case Security: {
        QStringList marks;
        if (server->tls)
            marks << tr("TLS");
        if (server->password)
            marks << tr("a password");
        return marks.join(u", "_s);
    }
    default:
        return {};
    }
}

QVariant ServerFinder::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Server");
    case Address:
        return tr("Address");
    case People:
        return tr("People");
    case Security:
        return tr("Needs");
    default:
        return {};
    }
}
