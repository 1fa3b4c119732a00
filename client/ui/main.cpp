// confab: the Confab desktop client.

#include "launcher.h"
#include "serveraddress.h"
#include "serverfinder.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

#include <cstdio>
#include <memory>

namespace {

// --help and --version must work without a display, so they are answered
// before QApplication (which needs one) exists.
bool wantsInformationOnly(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray argument(argv[i]);
        if (argument == "--help" || argument == "-h" || argument == "-?" || argument == "--help-all"
            || argument == "--version" || argument == "-v" || argument == "--find-servers")
            return true;
    }
    return false;
}

// --find-servers: no window, for scripts and for a look from a terminal.
int findServers()
{
    ServerFinder finder;
    QObject::connect(&finder, &ServerFinder::lookingChanged, [&finder](bool looking) {
        if (looking)
            return;
        for (const ServerFinder::Server &server : finder.servers()) {
            QStringList needs;
            if (server.tls)
                needs << QStringLiteral("tls");
            if (server.password)
                needs << QStringLiteral("password");
            std::printf("%s\t%s\t%s\t%s\n", qPrintable(server.name), qPrintable(server.connectAddress()),
                        qPrintable(finder.index(int(&server - finder.servers().data()), ServerFinder::People)
                                           .data()
                                           .toString()),
                        qPrintable(needs.join(QLatin1Char(','))));
        }
        if (finder.servers().isEmpty())
            std::fprintf(stderr, "confab: no server answered\n");
        QCoreApplication::exit(finder.servers().isEmpty() ? 1 : 0);
    });
    finder.look();
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    std::unique_ptr<QCoreApplication> holder;
    if (wantsInformationOnly(argc, argv))
        holder = std::make_unique<QCoreApplication>(argc, argv);
    else
        holder = std::make_unique<QApplication>(argc, argv);
    QCoreApplication &app = *holder;
    QApplication::setApplicationName(QStringLiteral("confab"));
    QApplication::setOrganizationName(QStringLiteral("Confab"));
    QApplication::setApplicationDisplayName(QStringLiteral("Confab"));
    QApplication::setApplicationVersion(QStringLiteral(CONFAB_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("org.confab.Confab"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Confab desktop chat client."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption connectOption(QStringLiteral("connect"),
                                           QStringLiteral("Server to connect to: host:port, tls://host:port, ws:// or "
                                                          "wss:// URL; a cluster as a comma-separated list "
                                                          "(a:7700,b:7700). Skips the connect dialog."),
                                           QStringLiteral("server"));
    const QCommandLineOption nickOption(QStringLiteral("nick"), QStringLiteral("Nickname to use."),
                                        QStringLiteral("name"));
    const QCommandLineOption roomOption(QStringLiteral("room"), QStringLiteral("Room to join (repeatable)."),
                                        QStringLiteral("room"));
    const QCommandLineOption findOption(
            QStringLiteral("find-servers"),
            QStringLiteral("Look for servers on this computer's networks (LAN discovery), print them, one a line "
                           "(name, address, people, what they need), and exit."));
    const QCommandLineOption inspectOption(
            QStringLiteral("inspect"),
            QStringLiteral("Open the frame inspector: every frame to and from the server, as it goes over the wire."));
    parser.addOptions({connectOption, nickOption, roomOption, findOption, inspectOption});
    parser.process(app);
    if (parser.isSet(findOption))
        return findServers();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/confab.svg")));

    Launcher launcher;
    launcher.setInspecting(parser.isSet(inspectOption));
    if (parser.isSet(connectOption)) {
        QString error;
        const auto address = ServerAddress::parse(parser.value(connectOption), &error);
        if (!address) {
            std::fprintf(stderr, "confab: %s\n", qPrintable(error));
            return 1;
        }
        if (!parser.isSet(nickOption)) {
            std::fprintf(stderr, "confab: --connect needs --nick\n");
            return 1;
        }
        QStringList rooms = parser.values(roomOption);
        for (QString &room : rooms) {
            if (room.startsWith(QLatin1Char('#')))
                room.remove(0, 1);
        }
        launcher.connectTo(*address, parser.value(nickOption), qEnvironmentVariable("CONFAB_PASSWORD"), rooms);
    } else {
        launcher.showDialog();
    }
    return QApplication::exec();
}
