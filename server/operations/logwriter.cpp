#include "logwriter.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QString>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <climits>
#include <poll.h>
#include <unistd.h>

namespace LogWriter {
namespace {

constexpr qsizetype FlushBytes = 64 * 1024;
constexpr qint64 FlushAgeMs = 100;
// What may wait for a standard error that is not being read (a full pipe, a
// stopped terminal) before lines are dropped: the chat must not stop
// because nobody reads its log.
constexpr qsizetype MaxWaitingBytes = 4 * 1024 * 1024;
// A pipe that polls writable takes this much without blocking.
constexpr qsizetype WriteChunk = PIPE_BUF;

struct State
{
    QMutex mutex;
    Format format = Format::Text;
    QByteArray pending;
    qint64 oldestMs = 0;
    // The time prefix of the current second, local (text) or UTC (JSON).
    qint64 cachedSecond = -1;
    Format cachedFormat = Format::Text;
    char cachedPrefix[32] = {};
    bool hooked = false;
    qint64 dropped = 0;
};

State &state()
{
    static State s;
    return s;
}

qint64 nowMs()
{
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return qint64(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

// "2026-11-30 18:22:55" (local) or "2026-11-30T18:22:55" (UTC), recomputed
// when the second changes.
const char *secondPrefix(State &s, Format format, qint64 epochMs)
{
    const qint64 second = epochMs / 1000;
    if (second != s.cachedSecond || format != s.cachedFormat) {
        const time_t t = time_t(second);
        tm parts{};
        if (format == Format::Json)
            gmtime_r(&t, &parts);
        else
            localtime_r(&t, &parts);
        strftime(s.cachedPrefix, sizeof s.cachedPrefix,
                 format == Format::Json ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &parts);
        s.cachedSecond = second;
        s.cachedFormat = format;
    }
    return s.cachedPrefix;
}

QByteArray format(State &s, Format format, qint64 epochMs, const char *level, const char *category,
                  const QString &message)
{
    const QByteArray millis = QByteArray::number(epochMs % 1000).rightJustified(3, '0');
    const char *prefix = secondPrefix(s, format, epochMs);
    if (format == Format::Json) {
        const QJsonObject line{{QStringLiteral("ts"), QString::fromLatin1(prefix) + u'.' + QString::fromLatin1(millis)
                                                              + u'Z'},
                               {QStringLiteral("level"), QLatin1String(level)},
                               {QStringLiteral("category"), QLatin1String(category ? category : "default")},
                               {QStringLiteral("msg"), message}};
        return QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    }
    QByteArray line;
    line.reserve(message.size() + 48);
    line += prefix;
    line += '.';
    line += millis;
    line += ' ';
    if (qstrcmp(level, "info") != 0 && qstrcmp(level, "debug") != 0) {
        line += level;
        line += ": ";
    }
    line += message.toUtf8();
    line += '\n';
    return line;
}

// Writes what standard error takes without blocking (waiting at most
// `waitMs` for it); the rest stays in `bytes`.
void writeOut(QByteArray &bytes, int waitMs = 0)
{
    qsizetype written = 0;
    while (written < bytes.size()) {
        pollfd ready{STDERR_FILENO, POLLOUT, 0};
        const int polled = ::poll(&ready, 1, waitMs);
        if (polled < 0 && errno == EINTR)
            continue;
        if (polled <= 0 || (ready.revents & (POLLERR | POLLNVAL))) {
            if (polled > 0)
                written = bytes.size(); // nowhere to log to
            break;
        }
        const size_t chunk = size_t(qMin(WriteChunk, bytes.size() - written));
        const ssize_t n = ::write(STDERR_FILENO, bytes.constData() + written, chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0 && errno == EAGAIN)
                break;
            written = bytes.size(); // a closed or broken standard error
            break;
        }
        written += n;
    }
    bytes.remove(0, written);
}

void append(State &s, const QByteArray &line)
{
    if (s.pending.size() + line.size() > MaxWaitingBytes) {
        ++s.dropped;
        return;
    }
    if (s.dropped > 0) {
        s.pending += QByteArray::number(s.dropped)
                     + " log lines were dropped: standard error was not being read\n";
        s.dropped = 0;
    }
    s.pending += line;
}

void hookEventLoop(State &s)
{
    // Written when the loop has nothing else to do: a burst of events costs
    // one write, and nothing waits while the server idles.
    if (s.hooked || !QCoreApplication::instance())
        return;
    QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
    if (!dispatcher)
        return;
    s.hooked = true;
    QObject::connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, [] { flush(); });
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const char *level = "info";
    switch (type) {
    case QtDebugMsg:
        level = "debug";
        break;
    case QtInfoMsg:
        break;
    case QtWarningMsg:
        level = "warning";
        break;
    case QtCriticalMsg:
        level = "error";
        break;
    case QtFatalMsg:
        level = "fatal";
        break;
    }
    State &s = state();
    QMutexLocker lock(&s.mutex);
    const qint64 now = nowMs();
    if (s.pending.isEmpty())
        s.oldestMs = now;
    append(s, format(s, s.format, now, level, context.category, message));
    hookEventLoop(s);
    const bool urgent = type == QtWarningMsg || type == QtCriticalMsg || type == QtFatalMsg;
    if (urgent || s.pending.size() >= FlushBytes || now - s.oldestMs >= FlushAgeMs || !s.hooked)
        writeOut(s.pending, type == QtFatalMsg ? 1000 : 0);
}

} // namespace

void install(Format chosen)
{
    {
        State &s = state();
        QMutexLocker lock(&s.mutex);
        if (!s.pending.isEmpty())
            writeOut(s.pending);
        s.format = chosen;
    }
    static bool installed = false;
    if (!std::exchange(installed, true)) {
        qInstallMessageHandler(handler);
        std::atexit([] {
            // The last lines are worth a moment's wait, not a hang.
            State &s = state();
            QMutexLocker lock(&s.mutex);
            writeOut(s.pending, 200);
        });
    }
}

void flush()
{
    State &s = state();
    QMutexLocker lock(&s.mutex);
    if (!s.pending.isEmpty())
        writeOut(s.pending);
}

QByteArray formatLine(Format chosen, qint64 epochMs, const char *level, const char *category, const QString &message)
{
    State scratch;
    return format(scratch, chosen, epochMs, level, category, message);
}

} // namespace LogWriter
