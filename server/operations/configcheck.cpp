#include "configcheck.h"

#include "chatserver.h"
#include "serverconfig.h"
#include "sqlstore.h"

#include <QFileInfo>
#include <QStringList>

namespace ConfigCheck {

namespace {

// Whether a file can be made (or written) at `path`: the file itself if it
// exists, else the nearest folder above it that exists.
QString unwritable(const QString &path)
{
    const QFileInfo info(path);
    if (info.exists()) {
        return info.isFile() && info.isReadable() && info.isWritable()
                       ? QString()
                       : QStringLiteral("%1 cannot be read and written").arg(path);
    }
    QString parent = info.absolutePath();
    while (!QFileInfo::exists(parent))
        parent = QFileInfo(parent).absolutePath(); // ends at "/", which exists
    const QFileInfo folder(parent);
    if (!folder.isDir())
        return QStringLiteral("%1 cannot be made: %2 is not a folder").arg(path, parent);
    if (!folder.isWritable())
        return QStringLiteral("%1 cannot be made: %2 is not writable").arg(path, parent);
    return {};
}

} // namespace

int run(const ServerConfig &config, std::FILE *out, std::FILE *err)
{
    QStringList problems;
    QString tlsError;
    const bool tls = !config.tlsCertificate.isEmpty();
    if (tls && !ChatServer::loadTls(config, &tlsError))
        problems << tlsError;
    const bool postgres = SqlStore::isDatabaseUrl(config.databasePath);
    if (!postgres && config.databasePath != QLatin1String(":memory:")) {
        if (const QString problem = unwritable(config.databasePath); !problem.isEmpty())
            problems << QStringLiteral("the database: ") + problem;
    }
    if (!config.portFile.isEmpty()) {
        if (const QString problem = unwritable(config.portFile); !problem.isEmpty())
            problems << QStringLiteral("the port file: ") + problem;
    }
    for (const QString &problem : std::as_const(problems))
        std::fprintf(err, "confab-server: %s\n", qPrintable(problem));
    if (!problems.isEmpty())
        return 1;

    QStringList summary{QStringLiteral("TCP port %1").arg(config.tcpPort),
                        QStringLiteral("HTTP port %1").arg(config.httpPort),
                        tls ? QStringLiteral("TLS on both") : QStringLiteral("no TLS"),
                        postgres ? QStringLiteral("PostgreSQL (not connected to by this check)")
                                 : QStringLiteral("database %1").arg(config.databasePath)};
    if (!config.operators.isEmpty())
        summary << QStringLiteral("operators %1").arg(config.operators.join(QLatin1String(", ")));
    summary << (config.discoveryPort ? QStringLiteral("LAN discovery on UDP %1").arg(config.discoveryPort)
                                     : QStringLiteral("no LAN discovery"));
    std::fprintf(out, "configuration OK: %s\n", qPrintable(summary.join(QLatin1String("; "))));
    return 0;
}

} // namespace ConfigCheck
