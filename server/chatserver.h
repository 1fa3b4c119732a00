#pragma once

#include "chatservice.h"
#include "discoveryresponder.h"
#include "httpserver.h"
#include "serverconfig.h"
#include "statusfeed.h"

#include <QObject>
#include <QSslConfiguration>

#include <optional>

#include <memory>

class ClusterBus;
class ConnectionLimiter;
class Listener;
class SqlStore;

// Puts the server together from its configuration: the store, the chat
// service, the two listeners and the HTTP server.
class ChatServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatServer)

public:
    explicit ChatServer(ServerConfig config, QObject *parent = nullptr);
    ~ChatServer() override;

    // Opens the database and the ports; on failure, *error says why in one line.
    bool start(QString *error);
    // The TLS certificate chain and key the settings name; nullopt with
    // *error when they cannot be loaded (or none is named: *error empty).
    static std::optional<QSslConfiguration> loadTls(const ServerConfig &config, QString *error);
    // Tells clients, closes everything, then emits stopped().
    void stop(const QString &reason);
    // SIGHUP: the settings that can change while running take effect
    // (motd, name, password, operators, limits, the TLS certificate); the
    // others are logged and kept. Nobody is disconnected.
    void reload(const ServerConfig &next);
    // A reload that cannot happen (the file does not parse, a TLS file
    // cannot be read): said in the log and to systemd; nothing changes.
    void refuseReload(const QString &reason);

    quint16 tcpPort() const;
    quint16 httpPort() const;
    // 0 when discovery is off.
    quint16 discoveryPort() const;
    int userCount() const { return m_chat ? int(m_chat->userCount()) : 0; }

signals:
    void stopped();

private:
    bool writePortFile(QString *error) const;
    void startDiscovery(const std::optional<QSslConfiguration> &tls);
    DiscoveryResponder::Announcement announcement(const std::optional<QSslConfiguration> &tls) const;
    static ChatService::Settings chatSettings(const ServerConfig &config);
    StatusFeed::Figures statusFigures() const;
    // --max-connections, within what the open-file limit allows.
    int connectionLimit(const ServerConfig &config) const;
    // What GET /healthz answers.
    HttpServer::Response health() const;

    ServerConfig m_config;
    std::unique_ptr<SqlStore> m_store;
    ConnectionLimiter *m_limiter = nullptr;
    int m_socketCeiling = 0;
    ChatService *m_chat = nullptr;
    ClusterBus *m_cluster = nullptr; // cluster mode only
    Listener *m_tcp = nullptr;
    Listener *m_http = nullptr;
    HttpServer *m_httpServer = nullptr;
    StatusFeed *m_statusFeed = nullptr;
    DiscoveryResponder *m_discovery = nullptr;
};
