// The one translation unit that compiles Asio and Beast (BOOST_*_SEPARATE_COMPILATION is set
// project-wide), so other sources only parse their declarations.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
