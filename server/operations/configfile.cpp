#include "configfile.h"

#include <QHash>
#include <QStringList>

namespace ConfigFile {

namespace {

// A quoted value: what is between the quotes, with \" and \\ undone.
std::optional<QString> unquote(const QString &quoted)
{
    QString value;
    for (qsizetype i = 1; i + 1 < quoted.size(); ++i) {
        QChar c = quoted.at(i);
        if (c == u'\\') {
            if (i + 2 >= quoted.size())
                return std::nullopt; // a backslash before the closing quote
            c = quoted.at(++i);
            if (c != u'"' && c != u'\\')
                value += u'\\';
        } else if (c == u'"') {
            return std::nullopt; // a quote inside must be \"
        }
        value += c;
    }
    return value;
}

} // namespace

std::optional<QList<Entry>> parse(const QString &text, QString *error)
{
    QList<Entry> entries;
    QHash<QString, int> seen; // name -> line
    const QStringList lines = text.split(u'\n');
    for (qsizetype index = 0; index < lines.size(); ++index) {
        const int number = int(index) + 1;
        const QString line = lines.at(index).trimmed();
        if (line.isEmpty() || line.startsWith(u';') || line.startsWith(u'#'))
            continue;
        if (line.startsWith(u'[')) {
            if (line.compare(QLatin1String("[General]"), Qt::CaseInsensitive) == 0)
                continue;
            *error = QStringLiteral("line %1: %2 is not a section of this file (settings go under [General] or "
                                    "under no section)")
                             .arg(number)
                             .arg(line);
            return std::nullopt;
        }
        const qsizetype equals = line.indexOf(u'=');
        if (equals <= 0) {
            *error = QStringLiteral("line %1: not a setting (name=value): %2").arg(number).arg(line.left(80));
            return std::nullopt;
        }
        Entry entry{line.left(equals).trimmed(), line.mid(equals + 1).trimmed(), number};
        if (entry.value.size() >= 2 && entry.value.startsWith(u'"') && entry.value.endsWith(u'"')) {
            const std::optional<QString> value = unquote(entry.value);
            if (!value) {
                *error = QStringLiteral("line %1: a quoted value may hold a quote only as \\\" (%2)")
                                 .arg(number)
                                 .arg(entry.name);
                return std::nullopt;
            }
            entry.value = *value;
        }
        if (const auto before = seen.constFind(entry.name); before != seen.constEnd()) {
            *error = QStringLiteral("line %1: %2 is set already on line %3").arg(number).arg(entry.name).arg(*before);
            return std::nullopt;
        }
        seen.insert(entry.name, number);
        entries.append(entry);
    }
    return entries;
}

} // namespace ConfigFile
