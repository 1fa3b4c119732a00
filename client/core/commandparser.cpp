#include "commandparser.h"

using namespace Qt::StringLiterals;

namespace {

struct CommandSpec
{
    const char *name;
    Command::Kind kind;
    const char *usage;
    const char *description;
};

constexpr CommandSpec commands[] = {
        {"join", Command::Kind::Join, "/join ROOM", "join a room (or create it)"},
        {"leave", Command::Kind::Leave, "/leave [ROOM] [REASON]", "leave this room, or ROOM"},
        {"part", Command::Kind::Leave, "/part", "the same as /leave"},
        {"msg", Command::Kind::Msg, "/msg NICK TEXT", "send a private message"},
        {"nick", Command::Kind::Nick, "/nick NAME", "change your nick"},
        {"topic", Command::Kind::Topic, "/topic [TEXT]", "show this room's topic, or set it"},
        {"list", Command::Kind::List, "/list", "list the rooms on the server"},
        {"who", Command::Kind::Who, "/who [ROOM]", "who is in this room, or ROOM"},
        {"quit", Command::Kind::Quit, "/quit [REASON]", "disconnect from the server"},
        {"help", Command::Kind::Help, "/help", "show this list"},
};

// Splits "first rest of the line" at the first run of spaces.
void splitFirstWord(const QString &text, QString *first, QString *rest)
{
    const QString trimmed = text.trimmed();
    const qsizetype space = trimmed.indexOf(u' ');
    *first = space < 0 ? trimmed : trimmed.left(space);
    *rest = space < 0 ? QString() : trimmed.mid(space + 1).trimmed();
}

} // namespace

Command Command::parse(const QString &input)
{
    Command command;
    // "//text" sends "/text" as a message.
    if (!input.startsWith(u'/') || input.startsWith("//"_L1)) {
        command.text = input.startsWith("//"_L1) ? input.mid(1) : input;
        return command;
    }
    QString name;
    QString arguments;
    splitFirstWord(input.mid(1), &name, &arguments);
    name = name.toLower();

    const CommandSpec *spec = nullptr;
    for (const CommandSpec &candidate : commands) {
        if (name == QLatin1String(candidate.name))
            spec = &candidate;
    }
    if (!spec) {
        command.kind = Kind::Invalid;
        command.error = u"unknown command /%1 (type /help for the list)"_s.arg(name);
        return command;
    }
    command.kind = spec->kind;
    auto needs = [&](bool ok) {
        if (!ok) {
            command.kind = Kind::Invalid;
            command.error = u"usage: %1"_s.arg(QLatin1String(spec->usage));
        }
    };
    switch (spec->kind) {
    case Kind::Join:
    case Kind::Nick:
        splitFirstWord(arguments, &command.target, &command.text);
        needs(!command.target.isEmpty() && command.text.isEmpty());
        break;
    case Kind::Msg:
        splitFirstWord(arguments, &command.target, &command.text);
        needs(!command.target.isEmpty() && !command.text.isEmpty());
        break;
    case Kind::Leave:
        // "/leave" or "/leave reason..." for this room; "/leave #room reason" for another.
        if (arguments.startsWith(u'#')) {
            splitFirstWord(arguments.mid(1), &command.target, &command.text);
        } else {
            command.text = arguments;
        }
        break;
    case Kind::Who:
        command.target = arguments.startsWith(u'#') ? arguments.mid(1) : arguments;
        needs(!command.target.contains(u' '));
        break;
    case Kind::Topic:
    case Kind::Quit:
        command.text = arguments;
        break;
    case Kind::List:
    case Kind::Help:
        needs(arguments.isEmpty());
        break;
    case Kind::Say:
    case Kind::Invalid:
        break;
    }
    if (command.kind == Kind::Join && command.target.startsWith(u'#'))
        command.target.remove(0, 1);
    return command;
}

QStringList Command::help()
{
    QStringList lines;
    for (const CommandSpec &spec : commands)
        lines << u"%1 — %2"_s.arg(QLatin1String(spec.usage), QLatin1String(spec.description));
    lines << u"//text sends a message that starts with /"_s;
    return lines;
}
