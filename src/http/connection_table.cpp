#include "keepalived_swarm/http/connection_table.hpp"

namespace ks::http {

ClientAddress client_address_of(const boost::asio::ip::address& address) {
    if (address.is_v4()) {
        return boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4());
    }
    return address.to_v6();
}

std::string to_string(const ClientAddress& client) {
    if (!client) return "unix socket";
    if (client->is_v4_mapped()) {
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, *client).to_string();
    }
    return client->to_string();
}

bool ClientCounts::has_room(const ClientAddress& client, std::size_t limit) const {
    return !client || limit == 0 || count(client) < limit;
}

void ClientCounts::add(const ClientAddress& client) {
    if (client) ++counts_[*client];
}

void ClientCounts::remove(const ClientAddress& client) {
    if (!client) return;
    const auto found = counts_.find(*client);
    if (found == counts_.end()) return;
    if (--found->second == 0) counts_.erase(found);
}

std::size_t ClientCounts::count(const ClientAddress& client) const {
    if (!client) return 0;
    const auto found = counts_.find(*client);
    return found == counts_.end() ? 0 : found->second;
}

}  // namespace ks::http
