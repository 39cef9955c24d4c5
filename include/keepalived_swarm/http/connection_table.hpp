#pragma once
// Which connections the HTTP server holds, ordered by when each last completed a request, and
// how many each client address holds: what decides, under abuse, whom to refuse and whom to
// evict. Pure bookkeeping (no sockets), so it is unit-tested on its own.

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/address_v6.hpp>
#include <cstddef>
#include <list>
#include <map>
#include <optional>
#include <string>

namespace ks::http {

/// The peer a connection comes from, for the per-client limit: an IPv4 address is kept as
/// IPv4-mapped IPv6, so a client counts once whichever listener it reached. Unix-socket peers
/// have no address (nullopt).
using ClientAddress = std::optional<boost::asio::ip::address_v6>;

ClientAddress client_address_of(const boost::asio::ip::address& address);
/// "192.0.2.7" (IPv4 as written, not mapped), "2001:db8::1", or "unix socket".
std::string to_string(const ClientAddress& client);

/// Open connections per client address.
class ClientCounts {
public:
    /// True when `client` may open one more connection under `limit` per client (0: none).
    /// Unix-socket peers are exempt: reaching the socket already takes access to its folder,
    /// and they share no address that would tell one local client from another.
    bool has_room(const ClientAddress& client, std::size_t limit) const;
    void add(const ClientAddress& client);
    void remove(const ClientAddress& client);
    std::size_t count(const ClientAddress& client) const;
    /// Addresses with at least one open connection.
    std::size_t clients() const { return counts_.size(); }

private:
    std::map<boost::asio::ip::address_v6, std::size_t> counts_;
};

/// What to do with a connection that has just been accepted.
enum class Admission {
    admit,
    admit_after_evicting,  ///< the table is full: close its stalest connection first
    refuse_client_limit,   ///< its client already holds as many connections as it may
};

/// The open connections (each a `Member`, such as a pointer to the connection), least recently
/// active first: a connection moves to the back when it completes a request, so the front is
/// the one that has gone longest without completing one (idle keep-alive or stalled mid-request).
template <typename Member>
class ConnectionTable {
public:
    struct Entry {
        Member member;
        ClientAddress client;
    };
    using Handle = typename std::list<Entry>::iterator;

    /// `max_connections` at least 1; `max_per_client` 0 for no per-client limit.
    ConnectionTable(std::size_t max_connections, std::size_t max_per_client)
        : max_connections_(max_connections < 1 ? 1 : max_connections),
          max_per_client_(max_per_client) {}

    Admission admission(const ClientAddress& client) const {
        if (!counts_.has_room(client, max_per_client_)) return Admission::refuse_client_limit;
        if (entries_.size() >= max_connections_) return Admission::admit_after_evicting;
        return Admission::admit;
    }

    /// The connection that has gone longest without completing a request; the table is not
    /// empty.
    Member& stalest() { return entries_.front().member; }

    Handle insert(Member member, ClientAddress client) {
        counts_.add(client);
        return entries_.insert(entries_.end(), Entry{std::move(member), std::move(client)});
    }
    /// `handle`'s connection completed a request: it becomes the last to be evicted.
    void mark_active(Handle handle) { entries_.splice(entries_.end(), entries_, handle); }
    void erase(Handle handle) {
        counts_.remove(handle->client);
        entries_.erase(handle);
    }

    std::size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }
    std::size_t count(const ClientAddress& client) const { return counts_.count(client); }
    std::size_t clients() const { return counts_.clients(); }

    /// Calls `visit` with each member, stalest first; `visit` may erase the member it is given.
    template <typename Visit>
    void for_each(Visit visit) {
        for (auto it = entries_.begin(); it != entries_.end();) {
            auto& member = (it++)->member;
            visit(member);
        }
    }

private:
    std::size_t max_connections_;
    std::size_t max_per_client_;
    std::list<Entry> entries_;
    ClientCounts counts_;
};

}  // namespace ks::http
