// confab-hostlag: how smooth a program's own event loop stays while it
// hosts a Confab server (the desktop client's "Host on This Computer").
// It runs the server on a ServerThread (or, with --same-thread, on the
// program's own loop, for comparison), prints "tcp=PORT", and measures
// how late a 10 ms timer on the main loop fires — what a window would feel
// as stutter — while confab-bench loads the server from outside.

#include "chatserver.h"
#include "serverthread.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Event-loop lag of a program hosting a Confab server."));
    parser.addHelpOption();
    const QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("How long to measure."),
                                     QStringLiteral("n"), QStringLiteral("15"));
    const QCommandLineOption sameThread(QStringLiteral("same-thread"),
                                        QStringLiteral("Run the server on the main loop instead of its own thread."));
    parser.addOptions({seconds, sameThread});
    parser.process(app);

    QTemporaryDir dir;
    ServerConfig config;
    config.tcpPort = 0;
    config.httpPort = 0;
    config.bind = QHostAddress::LocalHost;
    config.discoveryPort = 0;
    config.databasePath = dir.filePath(QStringLiteral("hosted.db"));
    config.limits.floodRatePerSecond = 0;

    ServerThread thread;
    ChatServer inline_(config);
    auto measure = [&](quint16 port) {
        std::printf("tcp=%u\n", port);
        std::fflush(stdout);
        auto *tick = new QTimer(&app);
        tick->setTimerType(Qt::PreciseTimer);
        tick->setInterval(10);
        auto *clock = new QElapsedTimer;
        clock->start();
        auto *lags = new std::vector<qint64>;
        auto *last = new qint64(0);
        QObject::connect(tick, &QTimer::timeout, [=] {
            const qint64 now = clock->nsecsElapsed();
            if (*last)
                lags->push_back(std::max<qint64>(0, now - *last - 10'000'000));
            *last = now;
        });
        tick->start();
        QTimer::singleShot(int(parser.value(seconds).toDouble() * 1000), &app, [=] {
            std::sort(lags->begin(), lags->end());
            auto at = [&](double q) { return lags->empty() ? 0.0 : double((*lags)[size_t(q * double(lags->size() - 1))]) / 1e6; };
            std::printf("ticks=%zu lag_p50_ms=%.2f lag_p99_ms=%.2f lag_max_ms=%.2f\n", lags->size(), at(0.5),
                        at(0.99), lags->empty() ? 0.0 : double(lags->back()) / 1e6);
            QCoreApplication::quit();
        });
    };
    if (parser.isSet(sameThread)) {
        QString error;
        if (!inline_.start(&error)) {
            std::fprintf(stderr, "confab-hostlag: %s\n", qPrintable(error));
            return 1;
        }
        measure(inline_.tcpPort());
    } else {
        QObject::connect(&thread, &ServerThread::started, [&](quint16 port) { measure(port); });
        QObject::connect(&thread, &ServerThread::failed, [](const QString &error) {
            std::fprintf(stderr, "confab-hostlag: %s\n", qPrintable(error));
            QCoreApplication::exit(1);
        });
        thread.start(config);
    }
    return QCoreApplication::exec();
}
