// confab-server: the headless Confab chat server.

#include "accountadmin.h"
#include "chatserver.h"
#include "configcheck.h"
#include "epolldispatcher.h"
#include "logwriter.h"
#include "serverconfig.h"
#include "unixsignals.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

namespace {

// A shutdown that cannot finish (a client that never lets go) still ends.
constexpr int ShutdownTimeoutMs = 5000;

} // namespace

int main(int argc, char *argv[])
{
    // epoll instead of Qt's poll()-based loop: see epolldispatcher.h.
    // CONFAB_EVENT_DISPATCHER=qt keeps Qt's own, for comparison.
    if (qEnvironmentVariable("CONFAB_EVENT_DISPATCHER") != QLatin1String("qt"))
        QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONFAB_VERSION));

    const ServerConfig::ParseResult parsed = ServerConfig::parse(QCoreApplication::arguments());
    switch (parsed.outcome) {
    case ServerConfig::Outcome::ExitOk:
        std::fputs(qPrintable(parsed.message), stdout);
        return 0;
    case ServerConfig::Outcome::ExitError:
        std::fprintf(stderr, "confab-server: %s\n", qPrintable(parsed.message));
        return 1;
    case ServerConfig::Outcome::Run:
        break;
    }

    if (!parsed.config.accountCommand.isEmpty())
        return AccountAdmin::run(parsed.config, stdin, stdout, stderr);
    if (parsed.config.checkOnly)
        return ConfigCheck::run(parsed.config, stdout, stderr);

    LogWriter::install(parsed.config.logFormat);

    UnixSignals signals_;
    ChatServer server(parsed.config);
    QString error;
    if (!server.start(&error)) {
        LogWriter::flush();
        std::fprintf(stderr, "confab-server: %s\n", qPrintable(error));
        return 1;
    }

    QObject::connect(&signals_, &UnixSignals::terminationRequested, &server, [&](const QString &name) {
        server.stop(QStringLiteral("received %1").arg(name));
        QTimer::singleShot(ShutdownTimeoutMs, &app, [] { QCoreApplication::exit(0); });
    });
    QObject::connect(&signals_, &UnixSignals::reloadRequested, &server, [&server] {
        // The command line still wins over the file, as at start.
        const ServerConfig::ParseResult reparsed = ServerConfig::parse(QCoreApplication::arguments());
        if (reparsed.outcome != ServerConfig::Outcome::Run) {
            server.refuseReload(reparsed.message.trimmed());
            return;
        }
        LogWriter::install(reparsed.config.logFormat);
        server.reload(reparsed.config);
    });
    QObject::connect(&server, &ChatServer::stopped, &app, [] { QCoreApplication::exit(0); }, Qt::QueuedConnection);
    return QCoreApplication::exec();
}
