#include "serverconfig.h"

#include "configfile.h"

#include "names.h"
#include "sqlstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QUrl>
#include <QSysInfo>
#include <QStandardPaths>

#include <cmath>
#include <algorithm>
#include <functional>

namespace {

using Apply = std::function<bool(ServerConfig &, const QString &value, QString *error)>;

// "10.0.0.0/8, 2001:db8::/32, 192.0.2.7": CIDRs or single addresses.
Apply subnets(QList<QPair<QHostAddress, int>> ServerConfig::*member)
{
    return [=](ServerConfig &config, const QString &value, QString *error) {
        QList<QPair<QHostAddress, int>> parsed;
        for (const QString &part : value.split(u',', Qt::SkipEmptyParts)) {
            const QString cidr = part.trimmed();
            QPair<QHostAddress, int> subnet = QHostAddress::parseSubnet(cidr);
            if (!cidr.contains(u'/')) {
                // A bare address is a subnet of one.
                const QHostAddress address(cidr);
                subnet = {address, address.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128};
            }
            if (subnet.first.isNull()) {
                *error = QStringLiteral("'%1' is not an address or a CIDR such as 10.0.0.0/8").arg(cidr);
                return false;
            }
            parsed.append(subnet);
        }
        config.*member = parsed;
        return true;
    };
}

struct OptionSpec
{
    const char *name;
    const char *valueName;
    const char *description;
    Apply apply;
};

bool parseInteger(const QString &value, qint64 min, qint64 max, qint64 *out, QString *error)
{
    bool ok = false;
    const qint64 number = value.trimmed().toLongLong(&ok);
    if (!ok || number < min || number > max) {
        *error = QStringLiteral("'%1' is not a whole number from %2 to %3").arg(value).arg(min).arg(max);
        return false;
    }
    *out = number;
    return true;
}

template <typename T>
Apply integer(T ServerConfig::*member, qint64 min, qint64 max)
{
    return [=](ServerConfig &config, const QString &value, QString *error) {
        qint64 number = 0;
        if (!parseInteger(value, min, max, &number, error))
            return false;
        config.*member = T(number);
        return true;
    };
}

// A whole number in a part of the configuration (its limits, its faults).
template <typename Part, typename T>
Apply integerIn(Part ServerConfig::*part, T Part::*member, qint64 min, qint64 max)
{
    return [=](ServerConfig &config, const QString &value, QString *error) {
        qint64 number = 0;
        if (!parseInteger(value, min, max, &number, error))
            return false;
        config.*part.*member = T(number);
        return true;
    };
}

template <typename T>
Apply limit(T ChatLimits::*member, qint64 min, qint64 max)
{
    return integerIn(&ServerConfig::limits, member, min, max);
}

// Durations are given in seconds, fractions allowed, and kept in ms; zero
// only where it means "off".
template <typename Part>
Apply secondsIn(Part ServerConfig::*part, int Part::*member, bool zeroAllowed)
{
    return [=](ServerConfig &config, const QString &value, QString *error) {
        bool ok = false;
        const double s = value.trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(s) || s < 0 || (s == 0 && !zeroAllowed) || s > 86400) {
            *error = QStringLiteral("'%1' is not a number of seconds from %2 to 86400")
                             .arg(value, zeroAllowed ? QStringLiteral("0") : QStringLiteral("0.001"));
            return false;
        }
        config.*part.*member = s == 0 ? 0 : qMax(1, int(std::lround(s * 1000)));
        return true;
    };
}

Apply seconds(int ChatLimits::*member)
{
    return secondsIn(&ServerConfig::limits, member, false);
}

Apply fault(int FaultSettings::*member, qint64 max)
{
    return integerIn(&ServerConfig::faults, member, 0, max);
}

Apply faultSeconds(int FaultSettings::*member)
{
    return secondsIn(&ServerConfig::faults, member, true);
}

Apply flag(bool ServerConfig::*member)
{
    return [=](ServerConfig &config, const QString &value, QString *error) {
        const QString v = value.trimmed().toLower();
        if (v == QLatin1String("true") || v == QLatin1String("yes") || v == QLatin1String("1")) {
            config.*member = true;
        } else if (v == QLatin1String("false") || v == QLatin1String("no") || v == QLatin1String("0")) {
            config.*member = false;
        } else {
            *error = QStringLiteral("'%1' is not true or false").arg(value);
            return false;
        }
        return true;
    };
}

Apply text(QString ServerConfig::*member)
{
    return [=](ServerConfig &config, const QString &value, QString *) {
        config.*member = value;
        return true;
    };
}

Apply path(QString ServerConfig::*member)
{
    return [=](ServerConfig &config, const QString &value, QString *) {
        config.*member = value == QLatin1String(":memory:") ? value : QFileInfo(value).absoluteFilePath();
        return true;
    };
}

const std::vector<OptionSpec> &optionTable()
{
    static const std::vector<OptionSpec> table = {
            {"tcp-port", "port", "TCP port for JSON lines (default 7700; 0: any free port).",
             integer(&ServerConfig::tcpPort, 0, 65535)},
            {"http-port", "port", "HTTP port for the browser client and /ws (default 7701; 0: any free port).",
             integer(&ServerConfig::httpPort, 0, 65535)},
            {"bind", "address", "Address to listen on (default: every address).",
             [](ServerConfig &config, const QString &value, QString *error) {
                 QHostAddress address;
                 if (value == QLatin1String("localhost"))
                     address = QHostAddress::LocalHost;
                 else if (!address.setAddress(value)) {
                     *error = QStringLiteral("'%1' is not an IP address").arg(value);
                     return false;
                 }
                 config.bind = address;
                 return true;
             }},
            {"db", "path-or-url",
             "Where history, accounts and moderation are kept: an SQLite file (default in the XDG data directory; "
             ":memory: keeps nothing), or a PostgreSQL database as postgresql://USER[:PASSWORD]@HOST[:PORT]/NAME, "
             "which several servers share in cluster mode (with --redis).",
             [](ServerConfig &config, const QString &value, QString *error) {
                 if (SqlStore::isDatabaseUrl(value)) {
                     const QUrl url(value, QUrl::StrictMode);
                     if (!url.isValid() || url.path().size() < 2) {
                         *error = QStringLiteral("'%1' is not a database URL "
                                                 "(postgresql://USER@HOST:PORT/NAME)")
                                          .arg(url.toDisplayString(QUrl::RemovePassword));
                         return false;
                     }
                     config.databasePath = value;
                     return true;
                 }
                 return path(&ServerConfig::databasePath)(config, value, error);
             }},
            {"redis", "address",
             "Cluster mode: the Redis server (HOST:PORT or unix:PATH) through which servers sharing one "
             "PostgreSQL --db pass on messages, events and nick leases.",
             [](ServerConfig &config, const QString &value, QString *error) {
                 const auto address = RedisAddress::parse(value);
                 if (!address) {
                     *error = QStringLiteral("'%1' is neither HOST:PORT nor unix:PATH").arg(value);
                     return false;
                 }
                 config.redis = *address;
                 return true;
             }},
            {"nick-lease", "seconds",
             "Cluster mode: how long a nick stays taken after its server stops answering (default 10).",
             [](ServerConfig &config, const QString &value, QString *error) {
                 bool ok = false;
                 const int seconds = value.toInt(&ok);
                 if (!ok || seconds < 2 || seconds > 3600) {
                     *error = QStringLiteral("'%1' is not a number of seconds from 2 to 3600").arg(value);
                     return false;
                 }
                 config.nickLeaseMs = seconds * 1000;
                 return true;
             }},
            {"password", "text", "Password that clients must give in hello (default: none).",
             text(&ServerConfig::password)},
            {"motd", "text", "Message of the day sent in welcome.", text(&ServerConfig::motd)},
            {"tls-cert", "file", "PEM certificate (chain): serve TLS on both ports. Needs --tls-key.",
             path(&ServerConfig::tlsCertificate)},
            {"tls-key", "file", "PEM private key for --tls-cert.", path(&ServerConfig::tlsKey)},
            {"max-frame-bytes", "bytes", "Largest frame a client may send (default 65536).",
             limit(&ChatLimits::maxFrameBytes, 256, 16 * 1024 * 1024)},
            {"flood-burst", "count",
             "Messages a client may send at once before the flood limit (default 10; 0: every request bucket off).",
             limit(&ChatLimits::floodBurst, 0, 1'000'000)},
            {"flood-rate", "per-second", "Messages per second after the burst (default 5; 0: every request bucket off).",
             [](ServerConfig &config, const QString &value, QString *error) {
                 bool ok = false;
                 const double rate = value.trimmed().toDouble(&ok);
                 if (!ok || !std::isfinite(rate) || rate < 0 || rate > 1e6) {
                     *error = QStringLiteral("'%1' is not a rate from 0 to 1000000").arg(value);
                     return false;
                 }
                 config.limits.floodRatePerSecond = rate;
                 return true;
             }},
            {"send-queue-bytes", "bytes", "Unsent output after which a client is dropped (default 4194304).",
             limit(&ChatLimits::sendQueueBytes, 4096, qint64(1) << 32)},
            {"hello-timeout", "seconds", "Time a new connection has to send hello (default 30).",
             seconds(&ChatLimits::helloTimeoutMs)},
            {"handshake-timeout", "seconds",
             "Time a new connection has for its TLS handshake, or its HTTP request (default 10).",
             seconds(&ChatLimits::handshakeTimeoutMs)},
            {"ping-interval", "seconds", "Silence before the server pings a client (default 60).",
             seconds(&ChatLimits::idleBeforePingMs)},
            {"ping-timeout", "seconds", "Further silence before the client is dropped (default 60).",
             seconds(&ChatLimits::pingTimeoutMs)},
            {"max-connections", "count", "Connections the server accepts in all (default 10000; 0: as many as it can).",
             integer(&ServerConfig::maxConnections, 0, 1'000'000)},
            {"max-connections-per-address", "count",
             "Connections from one IP address (default 64; 0: no limit).",
             integer(&ServerConfig::maxConnectionsPerAddress, 0, 1'000'000)},
            {"max-rooms-per-user", "count", "Rooms one user may be in (default 100).",
             limit(&ChatLimits::maxRoomsPerUser, 1, 100'000)},
            {"port-file", "path", "After start-up, write the bound ports there as JSON {\"tcp\":N,\"http\":N}.",
             path(&ServerConfig::portFile)},
            {"operators", "accounts",
             "Accounts that operate the server, comma-separated: owner in every room, and more.",
             [](ServerConfig &config, const QString &value, QString *error) {
                 config.operators.clear();
                 for (const QString &name : value.split(u',', Qt::SkipEmptyParts)) {
                     const QString account = name.trimmed();
                     if (const auto violation = Confab::Protocol::checkNick(account)) {
                         *error = QStringLiteral("'%1' cannot be an account: %2").arg(account, violation->reason);
                         return false;
                     }
                     config.operators.append(account);
                 }
                 return true;
             }},
            {"metrics-allow", "cidrs",
             "Addresses that may read GET /metrics, as CIDRs separated by commas (default loopback only: "
             "127.0.0.0/8,::1/128); others get 403.",
             subnets(&ServerConfig::metricsAllow)},
            {"status-allow", "cidrs",
             "Addresses that may open the live /status page, as CIDRs separated by commas (default loopback only: "
             "127.0.0.0/8,::1/128); others get 403.",
             subnets(&ServerConfig::statusAllow)},
            {"name", "text", "The server's name in LAN discovery answers (default: the host name).",
             text(&ServerConfig::displayName)},
            {"discovery-port", "port",
             "UDP port answering LAN discovery (section 14 of docs/protocol.md; default 7702; 0: off).",
             integer(&ServerConfig::discoveryPort, 0, 65535)},
            {"log-format", "format",
             "text (the default: one line per event, local time) or json (one object per line, UTC, for log "
             "shippers).",
             [](ServerConfig &config, const QString &value, QString *error) {
                 if (value == QLatin1String("text")) {
                     config.logFormat = LogWriter::Format::Text;
                 } else if (value == QLatin1String("json")) {
                     config.logFormat = LogWriter::Format::Json;
                 } else {
                     *error = QStringLiteral("'%1' is neither text nor json").arg(value);
                     return false;
                 }
                 return true;
             }},
            {"proxy-protocol", "cidrs",
             "Proxies (CIDRs separated by commas) whose connections begin with a PROXY protocol header (v1 or v2), "
             "on both ports; the address it carries is the client's. A header from anywhere else is refused.",
             subnets(&ServerConfig::proxyProtocol)},
            {"require-account", nullptr, "Only users logged in to an account may enter (in a file: true or false).",
             flag(&ServerConfig::requireAccount)},
            {"fault-delay", "ms",
             "Teaching: delay every delivery by this many milliseconds (default 0). Faults are refused together "
             "with TLS or --require-account.",
             fault(&FaultSettings::delayMs, 60'000)},
            {"fault-jitter", "ms", "Teaching: add up to this many milliseconds more to each delay, at random "
                                   "(order is kept; default 0).",
             fault(&FaultSettings::jitterMs, 60'000)},
            {"fault-drop-every", "seconds", "Teaching: cut one user's connection, picked at random, this often.",
             faultSeconds(&FaultSettings::dropEveryMs)},
            {"fault-drop-after", "count", "Teaching: cut each connection after it received this many messages.",
             fault(&FaultSettings::dropAfterMessages, 1'000'000)},
            {"fault-stall", "seconds",
             "Teaching: hold one user's output (picked at random) for this long, every --fault-stall-every.",
             faultSeconds(&FaultSettings::stallMs)},
            {"fault-stall-every", "seconds", "Teaching: how often --fault-stall strikes (default 20).",
             faultSeconds(&FaultSettings::stallEveryMs)},
            {"fault-seed", "number", "Teaching: seed for the random picks (default 1): the same seed, the same picks.",
             integerIn(&ServerConfig::faults, &FaultSettings::seed, 0, 0xffffffffLL)},
            {"check-config", nullptr,
             "Do not serve: check the settings (the command line and --config file) and what they need (TLS "
             "files, where the database goes), print one line per problem or one saying what would run, and exit "
             "(0: fine).",
             flag(&ServerConfig::checkOnly)},
            {"reset-password", "account",
             "Do not serve: set a new password for ACCOUNT in the --db database, read as one line from standard "
             "input, and exit.",
             [](ServerConfig &config, const QString &value, QString *) {
                 config.accountCommand = QStringList{QStringLiteral("reset-password"), value};
                 return true;
             }},
    };
    return table;
}

} // namespace

QString ServerConfig::defaultDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/history.db");
}

ServerConfig::ParseResult ServerConfig::parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
            QStringLiteral("Confab chat server: JSON lines over TCP, WebSocket and the browser client over HTTP, "
                           "history in SQLite or PostgreSQL (cluster mode).\nEvery option can also be set in the --config file, as name=value."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption configOption(QStringLiteral("config"),
                                          QStringLiteral("INI file with any of the options below."),
                                          QStringLiteral("file"));
    parser.addOption(configOption);
    parser.addPositionalArgument(
            QStringLiteral("account"),
            QStringLiteral("Do not serve: administer the accounts in the --db database, and exit. "
                           "`account add NAME` makes one (the way to make an operator's account), "
                           "`account reset-password NAME` sets a new password (each read from the terminal, or "
                           "one line of standard input), `account rename NAME NEW` renames one, with its rooms, "
                           "bans and conversations, `account delete NAME` deletes one, `account list` lists "
                           "them. Works while the server runs; each change is in the audit log."),
            QStringLiteral("[account add|delete|list|rename|reset-password …]"));
    for (const OptionSpec &spec : optionTable()) {
        if (spec.valueName) {
            parser.addOption(QCommandLineOption(QString::fromLatin1(spec.name), QString::fromUtf8(spec.description),
                                                QString::fromLatin1(spec.valueName)));
        } else {
            parser.addOption(QCommandLineOption(QString::fromLatin1(spec.name), QString::fromUtf8(spec.description)));
        }
    }

    ParseResult result{Outcome::Run, {}, {}};
    result.config.serverName = QStringLiteral("confab-server/%1").arg(QCoreApplication::applicationVersion());
    result.config.motd = QStringLiteral("Welcome to Confab");
    result.config.displayName = QSysInfo::machineHostName();
    auto fail = [&](const QString &message) {
        result.outcome = Outcome::ExitError;
        result.message = message;
        return result;
    };

    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (parser.isSet(helpOption)) {
        result.outcome = Outcome::ExitOk;
        result.message = parser.helpText();
        return result;
    }
    if (parser.isSet(versionOption)) {
        result.outcome = Outcome::ExitOk;
        result.message = QStringLiteral("%1 %2\n").arg(QCoreApplication::applicationName(),
                                                       QCoreApplication::applicationVersion());
        return result;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional == QStringList{QStringLiteral("account")})
        return fail(QStringLiteral("usage: confab-server [--db DATABASE] account add|delete|list|rename|reset-password …"));
    if (!positional.isEmpty() && positional.at(0) == QLatin1String("account"))
        result.config.accountCommand = positional.mid(1);
    else if (!positional.isEmpty())
        return fail(QStringLiteral("unexpected argument '%1'").arg(positional.first()));

    QHash<QString, QString> fromFile;
    if (parser.isSet(configOption)) {
        const QString file = parser.value(configOption);
        QFile handle(file);
        if (!handle.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read the config file %1").arg(file));
        // Read exactly as written (configfile.h): not with QSettings, whose
        // INI dialect drops what follows a comma or a semicolon.
        QString error;
        const std::optional<QList<ConfigFile::Entry>> entries =
                ConfigFile::parse(QString::fromUtf8(handle.readAll()), &error);
        if (!entries)
            return fail(QStringLiteral("%1: %2").arg(file, error));
        QHash<QString, ConfigFile::Entry> given;
        for (const ConfigFile::Entry &entry : *entries)
            given.insert(entry.name, entry);
        // In the table's order, as on the command line.
        for (const OptionSpec &spec : optionTable()) {
            const QString name = QString::fromLatin1(spec.name);
            if (name == QLatin1String("reset-password") || name == QLatin1String("check-config"))
                continue; // a command, not a setting
            const auto entry = given.constFind(name);
            if (entry == given.constEnd())
                continue;
            if (!spec.apply(result.config, entry->value, &error))
                return fail(QStringLiteral("%1: line %2: %3: %4").arg(file).arg(entry->line).arg(name, error));
            fromFile.insert(name, entry->value);
            given.erase(entry);
        }
        if (!given.isEmpty()) {
            const ConfigFile::Entry first = *std::min_element(
                    given.cbegin(), given.cend(),
                    [](const ConfigFile::Entry &a, const ConfigFile::Entry &b) { return a.line < b.line; });
            return fail(QStringLiteral("%1: line %2: unknown setting '%3'").arg(file).arg(first.line).arg(first.name));
        }
    }
    for (const OptionSpec &spec : optionTable()) {
        const QString name = QString::fromLatin1(spec.name);
        if (!parser.isSet(name))
            continue;
        QString error;
        if (!spec.apply(result.config, spec.valueName ? parser.value(name) : QStringLiteral("true"), &error))
            return fail(QStringLiteral("--%1: %2").arg(name, error));
    }
    for (const OptionSpec &spec : optionTable()) {
        const QString name = QString::fromLatin1(spec.name);
        if (name == QLatin1String("reset-password") || name == QLatin1String("check-config"))
            continue;
        if (parser.isSet(name))
            result.config.given.append({name, spec.valueName ? parser.value(name) : QStringLiteral("true")});
        else if (fromFile.contains(name))
            result.config.given.append({name, fromFile.value(name)});
    }

    if (result.config.tlsCertificate.isEmpty() != result.config.tlsKey.isEmpty())
        return fail(QStringLiteral("--tls-cert and --tls-key go together"));
    if (result.config.faults.any()) {
        if (!result.config.tlsCertificate.isEmpty())
            return fail(QStringLiteral("--fault-* options are for teaching and cannot be used with TLS"));
        if (result.config.requireAccount)
            return fail(QStringLiteral("--fault-* options are for teaching and cannot be used with --require-account"));
        if (result.config.faults.stallMs > 0 && result.config.faults.stallEveryMs == 0)
            result.config.faults.stallEveryMs = 20'000;
        if (result.config.faults.stallMs >= result.config.faults.stallEveryMs && result.config.faults.stallMs > 0)
            return fail(QStringLiteral("--fault-stall must be shorter than --fault-stall-every"));
    }
    if (result.config.databasePath.isEmpty())
        result.config.databasePath = defaultDatabasePath();
    if (result.config.redis && !SqlStore::isDatabaseUrl(result.config.databasePath))
        return fail(QStringLiteral("--redis needs a PostgreSQL --db that every server of the cluster shares"));
    return result;
}
