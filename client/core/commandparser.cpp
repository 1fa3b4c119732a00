#include "commandparser.h"

#include <QRegularExpression>

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
        {"join", Command::Kind::Join, "/join ROOM [KEY]", "join a room (or create it); KEY for a room that has one"},
        {"leave", Command::Kind::Leave, "/leave [ROOM] [REASON]", "leave this room, or ROOM"},
        {"part", Command::Kind::Leave, "/part", "the same as /leave"},
        {"msg", Command::Kind::Msg, "/msg NICK TEXT", "send a private message"},
        {"me", Command::Kind::Me, "/me TEXT", "say it as an action: /me waves shows as \"* alice waves\""},
        {"nick", Command::Kind::Nick, "/nick NAME", "change your nick"},
        {"away", Command::Kind::Away, "/away [MESSAGE]", "say you are away, and why; without a message: back"},
        {"back", Command::Kind::Back, "/back", "say you are back"},
        {"topic", Command::Kind::Topic, "/topic [TEXT]", "show this room's topic, or set it"},
        {"list", Command::Kind::List, "/list", "list the rooms on the server"},
        {"who", Command::Kind::Who, "/who [ROOM]", "who is in this room, or ROOM"},
        {"register", Command::Kind::Register, "/register PASSWORD",
         "make your nick an account, so that only you can use it (8 characters or more)"},
        {"login", Command::Kind::Login, "/login ACCOUNT PASSWORD", "reconnect, logged in to ACCOUNT"},
        {"password", Command::Kind::Password, "/password OLD NEW", "change your account's password"},
        {"claim", Command::Kind::Claim, "/claim", "become the owner of this room, if it has none (needs an account)"},
        {"op", Command::Kind::Op, "/op NICK", "owners: make NICK an op of this room"},
        {"deop", Command::Kind::Deop, "/deop NICK", "owners: make NICK a plain member again"},
        {"kick", Command::Kind::Kick, "/kick NICK [REASON]", "ops: put NICK out of this room"},
        {"ban", Command::Kind::Ban, "/ban NICK|MASK [DURATION] [REASON]",
         "ops: ban from this room; MASK is account:NAME, nick:GLOB or address:CIDR; DURATION such as 30m, 2h, 7d"},
        {"unban", Command::Kind::Unban, "/unban NICK|MASK", "ops: lift a ban"},
        {"bans", Command::Kind::BanList, "/bans", "ops: list this room's bans"},
        {"mute", Command::Kind::Mute, "/mute NICK [DURATION] [REASON]", "ops: stop NICK speaking in this room"},
        {"unmute", Command::Kind::Unmute, "/unmute NICK", "ops: let NICK speak again"},
        {"invite", Command::Kind::Invite, "/invite NICK [ROOM]", "invite NICK to this room, or ROOM"},
        {"mode", Command::Kind::Mode, "/mode [+i|-i] [+t|-t] [+k KEY|-k]",
         "show this room's modes, or change them (ops): i invitation only, t topic locked, k key"},
        {"audit", Command::Kind::Audit, "/audit [ROOM|*]",
         "ops: recent moderation in this room (or ROOM); * the whole server (server operators)"},
        {"sban", Command::Kind::ServerBan, "/sban NICK|MASK [DURATION] [REASON]",
         "server operators: ban from the whole server"},
        {"sunban", Command::Kind::ServerUnban, "/sunban MASK", "server operators: lift a server ban"},
        {"sbans", Command::Kind::ServerBanList, "/sbans", "server operators: list the server bans"},
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

QString withoutHash(const QString &room)
{
    return room.startsWith(u'#') ? room.mid(1) : room;
}

// "+i -t +k key", or "+ik key": true when every word was understood.
bool parseModes(const QString &arguments, Command *command)
{
    const QStringList words = arguments.split(u' ', Qt::SkipEmptyParts);
    for (qsizetype i = 0; i < words.size(); ++i) {
        const QString &word = words.at(i);
        if (word.size() < 2 || (word[0] != u'+' && word[0] != u'-'))
            return false;
        const bool on = word[0] == u'+';
        for (qsizetype c = 1; c < word.size(); ++c) {
            switch (word[c].unicode()) {
            case 'i':
                command->inviteOnly = on;
                break;
            case 't':
                command->topicLocked = on;
                break;
            case 'k':
                if (!on) {
                    command->key = QString();
                } else {
                    if (i + 1 >= words.size())
                        return false;
                    command->key = words.at(++i);
                }
                break;
            default:
                return false;
            }
        }
    }
    return true;
}

} // namespace

std::optional<qint64> Command::parseDuration(const QString &text)
{
    static const QRegularExpression whole(u"^(\\d+[smhdw])+$"_s);
    static const QRegularExpression part(u"(\\d+)([smhdw])"_s);
    const QString lower = text.toLower();
    if (!whole.match(lower).hasMatch())
        return std::nullopt;
    qint64 seconds = 0;
    for (auto it = part.globalMatch(lower); it.hasNext();) {
        const auto match = it.next();
        const qint64 count = match.captured(1).left(9).toLongLong();
        static constexpr struct { char unit; qint64 seconds; } units[] = {
                {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
        for (const auto &unit : units) {
            if (match.captured(2).at(0) == QLatin1Char(unit.unit))
                seconds += count * unit.seconds;
        }
    }
    return seconds;
}

QString Command::describeDuration(qint64 seconds)
{
    static constexpr struct { qint64 seconds; const char *one; const char *many; } units[] = {
            {7 * 86400, "week", "weeks"}, {86400, "day", "days"}, {3600, "hour", "hours"}, {60, "minute", "minutes"}};
    for (const auto &unit : units) {
        if (seconds >= unit.seconds && seconds % unit.seconds == 0) {
            const qint64 count = seconds / unit.seconds;
            return u"%1 %2"_s.arg(count).arg(QLatin1String(count == 1 ? unit.one : unit.many));
        }
    }
    return seconds == 1 ? u"1 second"_s : u"%1 seconds"_s.arg(seconds);
}

bool Command::carriesSecret(const QString &input)
{
    static const QRegularExpression secret(u"^/(register|login|password)(\\s|$)"_s,
                                           QRegularExpression::CaseInsensitiveOption);
    return secret.match(input).hasMatch();
}

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
    // "NICK [DURATION] [REASON]", for bans and mutes.
    auto targetDurationReason = [&] {
        QString rest;
        splitFirstWord(arguments, &command.target, &rest);
        QString first;
        QString afterFirst;
        splitFirstWord(rest, &first, &afterFirst);
        if (const auto seconds = parseDuration(first)) {
            command.duration = *seconds;
            command.text = afterFirst;
        } else {
            command.text = rest;
        }
        needs(!command.target.isEmpty() && (!command.duration || *command.duration > 0));
    };
    switch (spec->kind) {
    case Kind::Join:
        splitFirstWord(arguments, &command.target, &command.extra);
        command.target = withoutHash(command.target);
        needs(!command.target.isEmpty() && !command.extra.contains(u' '));
        break;
    case Kind::Nick:
    case Kind::Op:
    case Kind::Deop:
    case Kind::Unmute:
    case Kind::Unban:
    case Kind::ServerUnban:
        splitFirstWord(arguments, &command.target, &command.text);
        needs(!command.target.isEmpty() && command.text.isEmpty());
        break;
    case Kind::Msg:
    case Kind::Login:
        splitFirstWord(arguments, &command.target, &command.text);
        needs(!command.target.isEmpty() && !command.text.isEmpty());
        break;
    case Kind::Kick:
        splitFirstWord(arguments, &command.target, &command.text);
        needs(!command.target.isEmpty());
        break;
    case Kind::Ban:
    case Kind::Mute:
    case Kind::ServerBan:
        targetDurationReason();
        break;
    case Kind::Invite:
        splitFirstWord(arguments, &command.target, &command.extra);
        command.extra = withoutHash(command.extra);
        needs(!command.target.isEmpty() && !command.extra.contains(u' '));
        break;
    case Kind::Register:
    case Kind::Me:
        command.text = arguments;
        needs(!command.text.isEmpty());
        break;
    case Kind::Password:
        splitFirstWord(arguments, &command.text, &command.extra);
        needs(!command.text.isEmpty() && !command.extra.isEmpty());
        break;
    case Kind::Mode:
        needs(parseModes(arguments, &command));
        break;
    case Kind::Audit:
        command.target = withoutHash(arguments);
        needs(!command.target.contains(u' '));
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
        command.target = withoutHash(arguments);
        needs(!command.target.contains(u' '));
        break;
    case Kind::Topic:
    case Kind::Quit:
    case Kind::Away:
        command.text = arguments;
        break;
    case Kind::List:
    case Kind::Back:
    case Kind::Help:
    case Kind::Claim:
    case Kind::BanList:
    case Kind::ServerBanList:
        needs(arguments.isEmpty());
        break;
    case Kind::Say:
    case Kind::Invalid:
        break;
    }
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
