#pragma once

#include "chatlimits.h"
#include "redisaddress.h"
#include "faultinjector.h"
#include "logwriter.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <optional>

// Everything confab-server can be told, from the command line or an INI
// file (--config); the command line wins where both say something.
struct ServerConfig
{
    quint16 tcpPort = Confab::Protocol::Defaults::TcpPort;
    quint16 httpPort = Confab::Protocol::Defaults::HttpPort;
    QHostAddress bind = QHostAddress::Any;
    QString databasePath; // empty: the default in the XDG data directory; or a postgresql:// URL
    // Cluster mode: the Redis that carries fanout and nick leases.
    std::optional<RedisAddress> redis;
    int nickLeaseMs = 10'000;
    QString serverName;
    // What LAN discovery announces (protocol section 14); 0: no discovery.
    QString displayName;
    quint16 discoveryPort = 7702;
    QString motd;
    QString password;
    QString tlsCertificate;
    QString tlsKey;
    QString portFile;
    bool requireAccount = false;
    QStringList operators; // account names
    LogWriter::Format logFormat = LogWriter::Format::Text;
    // Proxies whose connections start with a PROXY protocol header.
    QList<QPair<QHostAddress, int>> proxyProtocol;
    // Who may read GET /metrics.
    QList<QPair<QHostAddress, int>> metricsAllow{QHostAddress::parseSubnet(QStringLiteral("127.0.0.0/8")),
                                                 QHostAddress::parseSubnet(QStringLiteral("::1/128"))};
    // Who may open the live /status page and its feed.
    QList<QPair<QHostAddress, int>> statusAllow{QHostAddress::parseSubnet(QStringLiteral("127.0.0.0/8")),
                                                QHostAddress::parseSubnet(QStringLiteral("::1/128"))};
    // `confab-server account add|delete|list|rename|reset-password …`
    // (and the older --reset-password ACCOUNT): not a server run, an
    // administrator's command (accountadmin.h), its words after `account`.
    QStringList accountCommand;
    // --check-config: check what the settings need, say so, and exit.
    bool checkOnly = false;
    int maxConnections = 10'000;
    int maxConnectionsPerAddress = 64;
    ChatLimits limits;
    // Teaching mode: failures on purpose (--fault-*). Never with TLS or
    // --require-account, so that no real community runs with them.
    FaultSettings faults;
    // The settings as given (the file's, then the command line's over
    // them), by option name, in --help's order: what the start-up and
    // reload lines show (configsummary.h). Everything else is a default.
    QList<QPair<QString, QString>> given;

    enum class Outcome { Run, ExitOk, ExitError };
    struct ParseResult;
    static ParseResult parse(const QStringList &arguments);

    static QString defaultDatabasePath();
};

struct ServerConfig::ParseResult
{
    Outcome outcome;
    QString message; // --help text, --version text or the error
    ServerConfig config;
};
