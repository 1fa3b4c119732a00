#include "chatserver.h"

#include "configsummary.h"

#include "chatservice.h"
#include "codec.h"
#include "connectionlimiter.h"
#include "discoveryresponder.h"
#include "httpserver.h"
#include "listener.h"
#include "logging.h"
#include "metrics.h"
#include "names.h"
#include "statusfeed.h"
#include "clusterbus.h"
#include "sqlstore.h"

#include <QUrl>
#include "systemdnotify.h"
#include "tcpconnection.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QScopeGuard>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

#include <sys/resource.h>

namespace {

// Descriptors kept for the database, the listeners and such; and, below the
// socket ceiling, room for sockets being turned away with server_full.
constexpr int ReservedDescriptors = 32;

// Raises the soft limit on open files to the hard limit and returns how many
// client sockets fit below it.
int socketCeiling()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 1024 - ReservedDescriptors;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    const rlim_t usable = qMin<rlim_t>(limit.rlim_cur, 1 << 20);
    return qMax(16, int(usable) - ReservedDescriptors);
}

} // namespace

std::optional<QSslConfiguration> ChatServer::loadTls(const ServerConfig &config, QString *error)
{
    if (config.tlsCertificate.isEmpty())
        return std::nullopt;
    QFile certFile(config.tlsCertificate);
    QFile keyFile(config.tlsKey);
    if (!certFile.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the TLS certificate %1").arg(config.tlsCertificate);
        return std::nullopt;
    }
    if (!keyFile.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the TLS key %1").arg(config.tlsKey);
        return std::nullopt;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    if (chain.isEmpty()) {
        *error = QStringLiteral("%1 holds no PEM certificate").arg(config.tlsCertificate);
        return std::nullopt;
    }
    const QByteArray keyData = keyFile.readAll();
    QSslKey key(keyData, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyData, QSsl::Ec, QSsl::Pem);
    if (key.isNull()) {
        *error = QStringLiteral("%1 holds no PEM private key (RSA or EC, unencrypted)").arg(config.tlsKey);
        return std::nullopt;
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    return tls;
}

ChatServer::ChatServer(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
}

ChatServer::~ChatServer()
{
    // Connections refer to the chat service and the limiter: they go first.
    delete m_tcp;
    delete m_httpServer;
    delete m_http;
    delete m_chat;
}

bool ChatServer::start(QString *error)
{
    m_store = SqlStore::open(m_config.databasePath, error);
    if (!m_store)
        return false;

    QString tlsError;
    const std::optional<QSslConfiguration> tls = loadTls(m_config, &tlsError);
    if (!tlsError.isEmpty()) {
        *error = tlsError;
        return false;
    }

    m_socketCeiling = socketCeiling();
    const int maxConnections = connectionLimit(m_config);
    m_limiter = new ConnectionLimiter(maxConnections, m_config.maxConnectionsPerAddress, m_socketCeiling, this);
    m_chat = new ChatService(chatSettings(m_config), m_store.get(), m_store.get(), m_store.get(), this);
    connect(m_chat, &ChatService::drained, this, &ChatServer::stopped);
    if (m_config.redis) {
        // Before the ports open: Redis may come later (it is tried again
        // and again); until it answers, hellos are refused with a reason.
        m_cluster = new ClusterBus(*m_config.redis, this);
        m_chat->joinCluster(m_cluster, m_config.nickLeaseMs);
        m_cluster->start();
    }

    const ChatLimits &limits = m_config.limits;
    // An HTTP request head, or a WebSocket upgrade, is no slower to send
    // than a hello.
    const int requestTimeoutMs = qMin(limits.helloTimeoutMs, limits.handshakeTimeoutMs);
    m_tcp = new Listener(QStringLiteral("chat"), m_limiter, tls, limits.handshakeTimeoutMs, !tls, this);
    const qsizetype maxFrame = limits.maxFrameBytes;
    const QByteArray serverFull =
            encodeLine(Confab::Protocol::Error{Confab::Protocol::ErrorCode::ServerFull,
                                               QStringLiteral("the server is full; try again later")});
    // The listener counts each connection and admits it or turns it away.
    m_tcp->setConnectionHandlers(
            [this, maxFrame](qintptr descriptor, const std::optional<PeerAddress> &client) {
                return new TcpConnection(m_chat, descriptor, maxFrame, this, client);
            },
            [this](SocketConnection *connection) {
                m_chat->connectionOpened(connection);
                connection->start();
            },
            [serverFull](SocketConnection *connection) {
                serverMetrics().refused(ServerMetrics::Refusal::ServerFull);
                connection->refuse(serverFull);
            });
    m_tcp->setHandlers(
            [this, maxFrame](QTcpSocket *socket) {
                // The socket is counted by the limiter for as long as it
                // lives, and it lives as long as the connection.
                auto *connection = new TcpConnection(m_chat, static_cast<QSslSocket *>(socket), maxFrame, this);
                m_chat->connectionOpened(connection);
                connection->start();
            },
            [serverFull](QTcpSocket *socket) {
                serverMetrics().refused(ServerMetrics::Refusal::ServerFull);
                QObject::connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
                socket->write(serverFull);
                socket->disconnectFromHost();
                QTimer::singleShot(5000, socket, [socket] { socket->abort(); });
            });
    m_http = new Listener(QStringLiteral("http"), m_limiter, tls, limits.handshakeTimeoutMs, false, this);
    m_httpServer = new HttpServer(m_http, m_chat, maxFrame, requestTimeoutMs, this);
    m_httpServer->setHealthCheck([this] { return health(); });
    m_httpServer->setMetrics([this] { return serverMetrics().render(m_chat->gauges()); }, m_config.metricsAllow);
    m_statusFeed = new StatusFeed([this] { return statusFigures(); }, this);
    m_httpServer->setStatusFeed(m_statusFeed, m_config.statusAllow);

    m_tcp->setTrustedProxies(m_config.proxyProtocol);
    m_http->setTrustedProxies(m_config.proxyProtocol);
    if (!m_tcp->listen(m_config.bind, m_config.tcpPort, error)
        || !m_http->listen(m_config.bind, m_config.httpPort, error)) {
        return false;
    }
    startDiscovery(tls);
    if (!writePortFile(error))
        return false;

    const bool anyAddress = m_config.bind == QHostAddress::Any || m_config.bind == QHostAddress::AnyIPv4
                            || m_config.bind == QHostAddress::AnyIPv6;
    QString host = anyAddress ? QStringLiteral("localhost") : m_config.bind.toString();
    if (m_config.bind.protocol() == QAbstractSocket::IPv6Protocol && !anyAddress)
        host = QStringLiteral("[%1]").arg(host);
    const QString listening = QStringLiteral("listening: JSON lines on %1 port %2; browser client at %3://%4:%5/ "
                                             "(WebSocket at /ws); history in %6; at most %7 connections")
                                      .arg(tls ? QStringLiteral("TLS") : QStringLiteral("TCP"))
                                      .arg(m_tcp->port())
                                      .arg(tls ? QStringLiteral("https") : QStringLiteral("http"), host)
                                      .arg(m_http->port())
                                      .arg(SqlStore::isDatabaseUrl(m_config.databasePath)
                                                   ? QUrl(m_config.databasePath).toDisplayString(QUrl::RemovePassword)
                                                           + (m_config.redis ? QStringLiteral(" (cluster mode, Redis at %1)")
                                                                                       .arg(m_config.redis->toString())
                                                                             : QString())
                                                   : m_config.databasePath)
                                      .arg(maxConnections);
    qCInfo(lcNet).noquote() << listening;
    qCInfo(lcNet).noquote() << ConfigSummary::inEffect(m_config);
    if (m_config.faults.any()) {
        // Loudly: a server that breaks things on purpose must never be
        // mistaken for one that is broken.
        m_chat->injectFaults(m_config.faults);
        const QString banner(72, u'!');
        qCWarning(lcFault).noquote() << banner;
        qCWarning(lcFault).noquote() << "FAULT INJECTION IS ON - this server fails on purpose, for teaching:";
        qCWarning(lcFault).noquote() << m_config.faults.describe();
        qCWarning(lcFault).noquote() << "Do not use it for real conversations.";
        qCWarning(lcFault).noquote() << banner;
    }
    // For Type=notify units: the ports are open, clients may come.
    SystemdNotify::ready(listening.toUtf8());
    return true;
}

StatusFeed::Figures ChatServer::statusFigures() const
{
    constexpr int RoomsShown = 20;
    StatusFeed::Figures figures;
    figures.gauges = m_chat->gauges();
    figures.rooms = m_chat->largestRooms(RoomsShown);
    figures.errors = m_chat->recentErrors();
    figures.messagesStored = serverMetrics().messagesStored;
    figures.messagesDelivered = serverMetrics().messagesDelivered;
    return figures;
}

ChatService::Settings ChatServer::chatSettings(const ServerConfig &config)
{
    QStringList operators;
    for (const QString &account : std::as_const(config.operators))
        operators.append(Confab::Protocol::nameKey(account));
    return {config.serverName, config.motd, config.password, config.requireAccount, operators, config.limits};
}

int ChatServer::connectionLimit(const ServerConfig &config) const
{
    int maxConnections = config.maxConnections;
    if (maxConnections <= 0 || maxConnections > m_socketCeiling - ReservedDescriptors) {
        maxConnections = qMax(1, m_socketCeiling - ReservedDescriptors);
        if (config.maxConnections > 0)
            qCWarning(lcNet) << "the open-file limit allows" << maxConnections << "connections, not"
                             << config.maxConnections;
    }
    return maxConnections;
}

void ChatServer::reload(const ServerConfig &next)
{
    if (!m_chat)
        return;
    SystemdNotify::reloading();
    // Whatever happens, systemd hears that the reload is over.
    auto done = qScopeGuard([] { SystemdNotify::ready("serving"); });
    // Everything is checked before anything changes: a reload that cannot
    // be applied whole is not applied at all.
    QString tlsError;
    const std::optional<QSslConfiguration> tls = loadTls(next, &tlsError);
    if (!tlsError.isEmpty()) {
        done.dismiss();
        refuseReload(tlsError);
        return;
    }
    ServerConfig applied = next;
    QStringList kept;
    auto keep = [&](bool differs, const QString &what) {
        if (differs)
            kept << what;
    };
    keep(next.tcpPort != m_config.tcpPort, QStringLiteral("tcp-port"));
    keep(next.httpPort != m_config.httpPort, QStringLiteral("http-port"));
    keep(next.bind != m_config.bind, QStringLiteral("bind"));
    keep(next.databasePath != m_config.databasePath, QStringLiteral("db"));
    keep(next.portFile != m_config.portFile, QStringLiteral("port-file"));
    keep(next.tlsCertificate.isEmpty() != m_config.tlsCertificate.isEmpty(), QStringLiteral("TLS on or off"));
    keep(next.limits.maxFrameBytes != m_config.limits.maxFrameBytes, QStringLiteral("max-frame-bytes"));
    keep(next.discoveryPort != m_config.discoveryPort, QStringLiteral("discovery-port"));
    keep(next.faults != m_config.faults, QStringLiteral("fault-*"));
    applied.faults = m_config.faults;
    applied.tcpPort = m_config.tcpPort;
    applied.httpPort = m_config.httpPort;
    applied.bind = m_config.bind;
    applied.databasePath = m_config.databasePath;
    applied.portFile = m_config.portFile;
    applied.limits.maxFrameBytes = m_config.limits.maxFrameBytes;
    applied.discoveryPort = m_config.discoveryPort;
    const bool tlsWasOn = !m_config.tlsCertificate.isEmpty();
    if (tlsWasOn != !next.tlsCertificate.isEmpty()) {
        applied.tlsCertificate = m_config.tlsCertificate;
        applied.tlsKey = m_config.tlsKey;
    }
    if (!kept.isEmpty())
        qCWarning(lcNet).noquote() << "reload: these cannot change while the server runs, restart to change them:"
                                   << kept.join(QStringLiteral(", "));

    m_chat->updateSettings(chatSettings(applied));
    m_limiter->setLimits(connectionLimit(applied), applied.maxConnectionsPerAddress);
    m_httpServer->setMetrics([this] { return serverMetrics().render(m_chat->gauges()); }, applied.metricsAllow);
    m_httpServer->setStatusFeed(m_statusFeed, applied.statusAllow);
    m_tcp->setTrustedProxies(applied.proxyProtocol);
    m_http->setTrustedProxies(applied.proxyProtocol);
    m_tcp->setHandshakeTimeout(applied.limits.handshakeTimeoutMs);
    m_http->setHandshakeTimeout(applied.limits.handshakeTimeoutMs);
    if (tls && tlsWasOn) {
        // Read again even when the paths are the same: renewing a
        // certificate usually replaces the files in place.
        m_tcp->setSslConfiguration(*tls);
        m_http->setSslConfiguration(*tls);
    }
    QStringList changed = ConfigSummary::changes(m_config, next);
    if (tls && tlsWasOn)
        changed << QStringLiteral("the TLS certificate and key were read again");
    m_config = applied;
    if (m_discovery) // what discovery says follows the new settings
        m_discovery->setAnnouncement(announcement(tlsWasOn ? tls : std::nullopt));
    qCInfo(lcNet).noquote() << QStringLiteral("configuration reloaded; %1")
                                       .arg(changed.isEmpty() ? QStringLiteral("nothing changed")
                                                              : QStringLiteral("changed: ") + changed.join(QLatin1String("; ")));
}

void ChatServer::refuseReload(const QString &reason)
{
    const QString line = QStringLiteral("configuration not reloaded (%1); the running settings stay").arg(reason);
    qCWarning(lcNet).noquote() << line;
    // `systemctl status` shows it; the unit's ExecReload runs
    // --check-config first, so that `systemctl reload` itself fails.
    SystemdNotify::reloading();
    SystemdNotify::ready("serving; " + line.toUtf8());
}

void ChatServer::stop(const QString &reason)
{
    if (!m_chat) {
        emit stopped();
        return;
    }
    qCInfo(lcNet).noquote() << "shutting down:" << reason;
    SystemdNotify::stopping();
    m_chat->shutdown(QStringLiteral("server shutting down"));
}

HttpServer::Response ChatServer::health() const
{
    const ChatService::StorageHealth &storage = m_chat->storageHealth();
    QJsonObject body{{QStringLiteral("status"), storage.ok ? QStringLiteral("ok") : QStringLiteral("failing")},
                     {QStringLiteral("storage"), storage.ok ? QStringLiteral("ok") : QStringLiteral("failing")}};
    if (!storage.ok) {
        body.insert(QStringLiteral("storage_failing_since"), storage.failingSinceMs);
        body.insert(QStringLiteral("failed_commits"), storage.failedCommits);
        body.insert(QStringLiteral("storage_error"), storage.lastError);
    }
    return {storage.ok ? 200 : 503, "application/json",
            QJsonDocument(body).toJson(QJsonDocument::Compact) + '\n', {}};
}

quint16 ChatServer::tcpPort() const
{
    return m_tcp ? m_tcp->port() : 0;
}

quint16 ChatServer::httpPort() const
{
    return m_http ? m_http->port() : 0;
}

quint16 ChatServer::discoveryPort() const
{
    return m_discovery ? m_discovery->port() : 0;
}

DiscoveryResponder::Announcement ChatServer::announcement(const std::optional<QSslConfiguration> &tls) const
{
    DiscoveryResponder::Announcement announcement;
    announcement.name = m_config.displayName;
    announcement.tcpPort = m_tcp->port();
    announcement.httpPort = m_http->port();
    announcement.tls = tls.has_value();
    announcement.password = !m_config.password.isEmpty();
    announcement.version = QStringLiteral("confab-server/%1").arg(QStringLiteral(CONFAB_VERSION));
    if (tls)
        announcement.fingerprint =
                QString::fromLatin1(tls->localCertificate().digest(QCryptographicHash::Sha256).toHex());
    return announcement;
}

void ChatServer::startDiscovery(const std::optional<QSslConfiguration> &tls)
{
    if (m_config.discoveryPort == 0)
        return;
    m_discovery = new DiscoveryResponder(
            announcement(tls), [this] { return std::pair<qint64, qint64>(m_chat->userCount(), m_chat->roomCount()); }, this);
    QString problem;
    if (!m_discovery->listen(m_config.bind, m_config.discoveryPort, &problem)) {
        // Another server on this machine may answer on that port already:
        // chat works without discovery, so this one goes on.
        qCWarning(lcNet).noquote() << problem << "- LAN discovery is off";
        delete m_discovery;
        m_discovery = nullptr;
    }
}

bool ChatServer::writePortFile(QString *error) const
{
    if (m_config.portFile.isEmpty())
        return true;
    QSaveFile file(m_config.portFile);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write the port file %1").arg(m_config.portFile);
        return false;
    }
    file.write(QStringLiteral("{\"tcp\":%1,\"http\":%2,\"discovery\":%3}\n")
                       .arg(tcpPort())
                       .arg(httpPort())
                       .arg(discoveryPort())
                       .toUtf8());
    if (!file.commit()) {
        *error = QStringLiteral("cannot write the port file %1").arg(m_config.portFile);
        return false;
    }
    return true;
}
