#pragma once

#include <QByteArray>

// Where confab-server's log lines go: standard error, one line per event,
// as text ("2026-11-30 18:22:55.123 warning: …") or as JSON for log
// shippers ({"ts":…,"level":…,"category":…,"msg":…}).
//
// Cheap, because a login logs three lines: the time prefix is formatted
// once a second, not per line (Qt's pattern formats a local time, and
// stats /etc/localtime, for every line), and lines are gathered and written
// together when the event loop goes idle, when 64 KiB are waiting, or when
// the oldest waits 100 ms; a warning or worse is written at once.
namespace LogWriter {

enum class Format { Text, Json };

// Installs the message handler (and a flush at exit); again, changes the
// format (a reload).
void install(Format format);
// Writes whatever is waiting.
void flush();

// One line as it would be written (for tests).
QByteArray formatLine(Format format, qint64 epochMs, const char *level, const char *category, const QString &message);

} // namespace LogWriter
