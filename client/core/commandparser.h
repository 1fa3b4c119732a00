#pragma once

#include <QString>
#include <QStringList>

#include <optional>

// What the user typed in the input line: plain text to send, or a /command.
struct Command
{
    enum class Kind {
        Say, Me, Join, Leave, Msg, Nick, Topic, List, Who, Quit, Help, Away, Back,
        // Accounts
        Register, Login, Password,
        // Moderation
        Claim, Op, Deop, Kick, Ban, Unban, BanList, Mute, Unmute, Invite, Mode, Audit,
        ServerBan, ServerUnban, ServerBanList,
        Invalid
    };

    Kind kind = Kind::Say;
    QString target; // room, nick, mask or account, where the command has one
    QString text;   // the message, topic, reason or password
    QString extra;  // a second argument: a join key, an invitation's room, a new password
    std::optional<qint64> duration; // seconds, for bans and mutes
    // /mode: what to change (unset: leave alone).
    std::optional<bool> inviteOnly;
    std::optional<bool> topicLocked;
    std::optional<QString> key; // "": remove the key
    QString error; // for Invalid: what is wrong, for the user

    static Command parse(const QString &input);
    // One line per command, for /help.
    static QStringList help();
    // Whether a line typed by the user carries a password, and so must not
    // be kept in the input history.
    static bool carriesSecret(const QString &input);
    // "90s", "10m", "2h", "1d", "1w" and sums such as "1h30m".
    static std::optional<qint64> parseDuration(const QString &text);
    // The other way: "2 hours", "1 day", "90 seconds".
    static QString describeDuration(qint64 seconds);
};
