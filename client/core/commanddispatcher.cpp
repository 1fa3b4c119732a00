#include "commanddispatcher.h"

#include "chatsession.h"
#include "commandparser.h"

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;

void CommandDispatcher::run(Conversation *conversation, const QString &input)
{
    const Command command = Command::parse(input);
    auto needRoom = [&]() -> Conversation * {
        if (conversation && conversation->type() == Conversation::Type::Room)
            return conversation;
        if (conversation)
            m_session.error(conversation, u"That command works in a room"_s);
        return nullptr;
    };
    switch (command.kind) {
    case Command::Kind::Say:
        if (!command.text.trimmed().isEmpty())
            m_session.sendText(conversation, command.text);
        break;
    case Command::Kind::Invalid:
        if (conversation)
            m_session.error(conversation, command.error);
        break;
    case Command::Kind::Join:
        m_session.join(command.target, conversation, command.extra);
        break;
    case Command::Kind::Leave:
        if (!command.target.isEmpty()) {
            if (Conversation *other = m_session.room(command.target))
                m_session.leave(other, command.text);
            else if (conversation)
                m_session.error(conversation, u"You are not in %1"_s.arg(command.target));
        } else {
            m_session.leave(conversation, command.text);
        }
        break;
    case Command::Kind::Me:
        m_session.sendText(conversation, command.text, true);
        break;
    case Command::Kind::Away:
    case Command::Kind::Back:
        m_session.setAway(command.kind == Command::Kind::Away ? command.text : QString());
        break;
    case Command::Kind::Msg:
        m_session.whisperFrom(conversation, command.target, command.text);
        break;
    case Command::Kind::Nick:
        m_session.changeNick(command.target, conversation);
        break;
    case Command::Kind::Topic:
        if (Conversation *target = needRoom()) {
            if (command.text.isEmpty())
                m_session.notice(target, target->topic().isEmpty() ? u"No topic is set"_s : u"Topic: %1"_s.arg(target->topic()));
            else
                m_session.setTopic(target, command.text);
        }
        break;
    case Command::Kind::List:
        m_session.showRoomList(conversation);
        break;
    case Command::Kind::Who:
        if (command.target.isEmpty()) {
            if (Conversation *target = needRoom())
                m_session.requestMembers(target->name(), target);
        } else {
            m_session.requestMembers(command.target, conversation);
        }
        break;
    case Command::Kind::Quit:
        m_session.quit(command.text);
        break;
    case Command::Kind::Register:
        m_session.registerAccount(command.text, conversation);
        break;
    case Command::Kind::Login:
        m_session.logIn(command.target, command.text);
        break;
    case Command::Kind::Password:
        m_session.changePassword(command.text, command.extra, conversation);
        break;
    case Command::Kind::Claim:
        if (Conversation *target = needRoom())
            m_session.claim(target);
        break;
    case Command::Kind::Op:
    case Command::Kind::Deop:
        if (Conversation *target = needRoom())
            m_session.grant(target, command.target,
                  command.kind == Command::Kind::Op ? RoomMembers::Rank::Op : RoomMembers::Rank::Member);
        break;
    case Command::Kind::Kick:
        if (Conversation *target = needRoom())
            m_session.kick(target, command.target, command.text);
        break;
    case Command::Kind::Ban:
        if (Conversation *target = needRoom())
            m_session.ban(target, command.target, command.duration, command.text);
        break;
    case Command::Kind::Unban:
        if (Conversation *target = needRoom())
            m_session.unban(target, command.target);
        break;
    case Command::Kind::BanList:
        if (Conversation *target = needRoom())
            m_session.requestBanList(target, true);
        break;
    case Command::Kind::Mute:
        if (Conversation *target = needRoom())
            m_session.mute(target, command.target, command.duration, command.text);
        break;
    case Command::Kind::Unmute:
        if (Conversation *target = needRoom())
            m_session.unmute(target, command.target);
        break;
    case Command::Kind::Invite:
        if (!command.extra.isEmpty())
            m_session.invite(command.extra, command.target, conversation);
        else if (Conversation *target = needRoom())
            m_session.invite(target->name(), command.target, target);
        break;
    case Command::Kind::Mode:
        if (Conversation *target = needRoom()) {
            if (!command.inviteOnly && !command.key && !command.topicLocked) {
                const RoomModes modes = target->modes();
                QStringList on;
                if (modes.inviteOnly)
                    on << u"invitation only (+i)"_s;
                if (modes.hasKey)
                    on << u"a key is needed to join (+k)"_s;
                if (modes.topicLocked)
                    on << u"only ops set the topic (+t)"_s;
                m_session.notice(target, on.isEmpty() ? u"#%1 is open to everyone; anyone may set the topic"_s.arg(target->name())
                                            : u"#%1: %2"_s.arg(target->name(), on.join(u"; "_s)));
            } else {
                m_session.setModes(target, command.inviteOnly, command.key, command.topicLocked);
            }
        }
        break;
    case Command::Kind::Audit:
        if (command.target == u"*"_s)
            m_session.requestAudit(QString(), conversation);
        else if (!command.target.isEmpty())
            m_session.requestAudit(command.target, conversation);
        else if (Conversation *target = needRoom())
            m_session.requestAudit(target->name(), target);
        break;
    case Command::Kind::ServerBan:
        m_session.serverBan(command.target, command.duration, command.text, conversation);
        break;
    case Command::Kind::ServerUnban:
        m_session.serverUnban(command.target, conversation);
        break;
    case Command::Kind::ServerBanList:
        m_session.requestServerBanList(conversation);
        break;
    case Command::Kind::Help:
        if (conversation) {
            for (const QString &line : Command::help())
                m_session.notice(conversation, line);
        }
        break;
    }
}
