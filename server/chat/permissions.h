#pragma once

#include <optional>

// Who may do what in a room (protocol section 13). Roles belong to accounts
// per room; server operators count as owner everywhere, and more.
enum class Rank {
    Member,
    Op,
    Owner,
    ServerOperator,
};

enum class Action {
    Claim,      // become owner of a room without one (any logged-in member)
    Grant,      // make someone op or member
    Kick,
    Ban,        // also unban and ban_list
    Mute,       // also unmute
    SetMode,
    Invite,
    ReadAudit,  // a room's audit log
};

namespace Permissions {

// Whether someone of rank `actor` may do `action`, to someone of rank
// `target` for actions that have one. Nobody acts on an equal or a higher
// rank: an op cannot kick another op or the owner; a server operator can act
// on anyone but another server operator. `inviteOnly`: an invite to an
// invite-only room needs an op; otherwise any member may invite.
bool permits(Action action, Rank actor, std::optional<Rank> target = std::nullopt, bool inviteOnly = false);

} // namespace Permissions
