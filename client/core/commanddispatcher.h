#pragma once

class ChatSession;
class Conversation;
class QString;

// Runs what the user typed in a conversation: plain text is said there, a
// /command (CommandParser reads it) becomes the session's request, and a
// command that makes no sense where it was typed is answered there. Holds
// no state; the browser client's dispatcher.js is its twin.
class CommandDispatcher
{
public:
    explicit CommandDispatcher(ChatSession &session)
        : m_session(session)
    {
    }

    void run(Conversation *conversation, const QString &input);

private:
    ChatSession &m_session;
};
