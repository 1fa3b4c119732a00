#pragma once

#include <QList>
#include <QString>

#include <optional>

// The --config file, read exactly as written. QSettings' INI dialect reads
// an unquoted comma as a list and a ';' as the start of a comment, so that
// `operators=alice,bob` gave no operators and a MOTD lost its second half,
// silently; this reads what an administrator means:
//
//   ; a comment, or # a comment, on a line of its own
//   [General]                  the one section (optional)
//   name = value               the value is the rest of the line, trimmed:
//                              commas and semicolons are part of it
//   name = "  value  "         quotes keep spaces at the ends; \" and \\ inside
//
// Anything else (a line without '=', another section, a name given twice)
// is refused with its line number.
namespace ConfigFile {

struct Entry
{
    QString name;
    QString value;
    int line = 0;
};

// The settings in `text`, in order; nullopt with `*error` ("line N: ...")
// if a line is not one of the above.
std::optional<QList<Entry>> parse(const QString &text, QString *error);

} // namespace ConfigFile
