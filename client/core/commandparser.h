#pragma once

#include <QString>
#include <QStringList>

// What the user typed in the input line: plain text to send, or a /command.
struct Command
{
    enum class Kind { Say, Join, Leave, Msg, Nick, Topic, List, Who, Quit, Help, Invalid };

    Kind kind = Kind::Say;
    QString target; // room or nick, where the command has one
    QString text;   // the message, topic or reason
    QString error;  // for Invalid: what is wrong, for the user

    static Command parse(const QString &input);
    // One line per command, for /help.
    static QStringList help();
};
