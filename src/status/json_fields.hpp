#pragma once
// The JSON pieces the status documents share (the float's status, the cluster view), and their
// tolerant reading: documents other processes wrote have unknown keys ignored, missing ones keep
// their defaults, and the first value of the wrong shape is remembered so the caller can refuse
// the whole document.

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "keepalived_swarm/status/float_status.hpp"

namespace ks::status::json_fields {
namespace json = boost::json;

/// Reads fields out of an object, remembering the first wrong shape.
class Reader {
public:
    explicit Reader(const json::object& object) : object_(object) {}

    void read(std::string_view key, std::string& out) {
        if (const auto* v = object_.if_contains(key)) {
            if (const auto* s = v->if_string()) {
                out = std::string(*s);
            } else if (!v->is_null()) {
                fail();
            }
        }
    }
    template <typename Number>
    void read(std::string_view key, Number& out) {
        if (const auto* v = object_.if_contains(key)) {
            if constexpr (std::is_same_v<Number, bool>) {
                if (v->is_bool()) {
                    out = v->get_bool();
                } else {
                    fail();
                }
            } else if (v->is_number()) {
                json::error_code ec;
                const auto converted = v->to_number<Number>(ec);
                if (ec) {
                    fail();
                } else {
                    out = converted;
                }
            } else if (!v->is_null()) {
                fail();
            }
        }
    }
    void read(std::string_view key, std::vector<std::string>& out) {
        if (const auto* v = object_.if_contains(key)) {
            const auto* array = v->if_array();
            if (array == nullptr) return fail();
            out.clear();
            for (const auto& item : *array) {
                if (const auto* s = item.if_string()) {
                    out.emplace_back(*s);
                } else {
                    fail();
                }
            }
        }
    }
    const json::value* find(std::string_view key) const { return object_.if_contains(key); }
    void fail() { ok_ = false; }
    bool ok() const { return ok_; }

private:
    const json::object& object_;
    bool ok_ = true;
};

/// Reads the array of objects at `key` (absent: nothing) with `read_one` per item; false on a
/// wrong shape.
template <class Item, class ReadOne>
bool read_objects(const Reader& parent, std::string_view key, std::vector<Item>& out,
                  ReadOne read_one) {
    const auto* found = parent.find(key);
    if (found == nullptr || found->is_null()) return true;
    const auto* array = found->if_array();
    if (array == nullptr) return false;
    for (const auto& item : *array) {
        const auto* object = item.if_object();
        if (object == nullptr) return false;
        Reader r(*object);
        Item value;
        read_one(r, value);
        if (!r.ok()) return false;
        out.push_back(std::move(value));
    }
    return true;
}

inline json::array strings_json(const std::vector<std::string>& values) {
    json::array array;
    for (const auto& value : values) array.emplace_back(value);
    return array;
}

inline json::object transition_json(const Transition& t) {
    return json::object{{"at", t.at}, {"from", t.from}, {"to", t.to}, {"reason", t.reason}};
}

inline void read_transition(Reader& r, Transition& t) {
    r.read("at", t.at);
    r.read("from", t.from);
    r.read("to", t.to);
    r.read("reason", t.reason);
}

}  // namespace ks::status::json_fields
