#pragma once

// What SqlStore's files share (sqlstore.cpp, sqlmessages.cpp,
// sqlaccounts.cpp): rows to messages and back, errors, running SQL.

#include "messages.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace SqlHelpers {

using Confab::Protocol::ChatMessage;
using Confab::Protocol::PrivateMessage;
using Confab::Protocol::Reaction;
// The columns a ChatMessage is read from, in the order messageFromRow() reads them.
inline const QLatin1String messageColumns("seq, sender, text, ts, action, edited, deleted, reactions, rev");

inline QString reactionsToJson(const std::optional<QList<Reaction>> &reactions)
{
    if (!reactions || reactions->isEmpty())
        return QString();
    QJsonArray array;
    for (const Reaction &reaction : *reactions)
        array.append(QJsonObject{{QStringLiteral("emoji"), reaction.emoji},
                                 {QStringLiteral("nicks"), QJsonArray::fromStringList(reaction.nicks)}});
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

inline std::optional<QList<Reaction>> reactionsFromJson(const QString &json)
{
    if (json.isEmpty())
        return std::nullopt;
    QList<Reaction> reactions;
    const QJsonArray array = QJsonDocument::fromJson(json.toUtf8()).array();
    for (const QJsonValue &value : array) {
        const QJsonObject object = value.toObject();
        Reaction reaction{object.value(QStringLiteral("emoji")).toString(), {}, std::nullopt, std::nullopt};
        for (const QJsonValue &nick : object.value(QStringLiteral("nicks")).toArray())
            reaction.nicks.append(nick.toString());
        if (!reaction.emoji.isEmpty() && !reaction.nicks.isEmpty())
            reactions.append(reaction);
    }
    return reactions.isEmpty() ? std::nullopt : std::optional<QList<Reaction>>(reactions);
}

// A row selected with messageColumns. Fields a message never had stay absent,
// so an untouched message reads back exactly as version 1 sent it.
inline ChatMessage messageFromRow(const QSqlQuery &row, const QString &roomName)
{
    ChatMessage message{roomName, row.value(1).toString(), row.value(2).toString(), row.value(3).toLongLong(),
                        row.value(0).toLongLong(), std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                        std::nullopt};
    // A deleted message keeps nothing of what it was: not even that it was
    // an action (rows deleted before this was stored still say so).
    const bool deleted = row.value(6).toInt() != 0;
    if (deleted)
        message.deleted = true;
    else if (row.value(4).toInt() != 0)
        message.action = true;
    if (!row.value(5).isNull())
        message.edited = row.value(5).toLongLong();
    message.reactions = reactionsFromJson(row.value(7).toString());
    if (!row.value(8).isNull())
        message.rev = row.value(8).toLongLong();
    return message;
}

// Qt binds a null QString as SQL NULL; keys of "" (the whole server) must
// stay strings.
inline QString notNull(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

inline QString sqlError(const QSqlError &error)
{
    // One line: PostgreSQL's messages come with a line of advice.
    return error.text().simplified();
}

inline bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        *error = QStringLiteral("%1 (%2)").arg(sqlError(query.lastError()), sql.simplified().left(80));
        return false;
    }
    return true;
}

// Runs the statements of a migration file in a transaction of its own,
// which the caller commits (after recording the new version).
inline bool runScript(QSqlDatabase &db, const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("missing migration %1").arg(path);
        return false;
    }
    const QString script = QString::fromUtf8(file.readAll());
    if (!db.transaction()) {
        *error = sqlError(db.lastError());
        return false;
    }
    // QSqlQuery runs one statement at a time. Comment lines go first, so
    // that a ';' in a comment does not cut a statement.
    QString code;
    for (const QString &line : script.split(u'\n')) {
        if (!line.trimmed().startsWith(QLatin1String("--")))
            code += line + u'\n';
    }
    for (const QString &sql : code.split(u';', Qt::SkipEmptyParts)) {
        if (sql.trimmed().isEmpty())
            continue;
        if (!exec(db, sql, error)) {
            db.rollback();
            return false;
        }
    }
    return true;
}

} // namespace SqlHelpers
