// The chat core's helpers that need no state (chatcore.h).

#include "chatcore.h"

#include <QSet>

QStringList ChatCore::roomKeys(const Session &session)
{
    QStringList keys;
    for (const Room *room : session.rooms)
        keys.append(room->key);
    return keys;
}

QList<Session *> ChatCore::roomPeers(const Session &session)
{
    QSet<Session *> peers;
    for (const Room *room : std::as_const(session.rooms)) {
        for (Session *member : room->members) {
            if (member != &session)
                peers.insert(member);
        }
    }
    return peers.values();
}

std::optional<Mask> ChatCore::maskOrError(Session &session, const QString &text, const QJsonValue &id)
{
    QString error;
    std::optional<Mask> mask = Mask::parse(text, &error);
    if (!mask)
        sendError(session, Confab::Protocol::ErrorCode::BadRequest, error, id);
    return mask;
}

void ChatCore::offloadWrite(Session &session, std::function<bool(QString *error)> write,
                            std::function<void(Session &, const std::optional<QString> &error)> done)
{
    offloadToStore<std::optional<QString>>(
            session,
            [write = std::move(write)]() -> std::optional<QString> {
                QString error;
                if (write(&error))
                    return std::nullopt;
                return error;
            },
            std::move(done));
}
