# Cross-compiling for 64-bit ARM (Raspberry Pi 4/5 and arm64 servers) on a Debian amd64 host:
# Debian's cross compiler (g++-aarch64-linux-gnu) and its arm64 multiarch Boost packages
# (libboost*-dev:arm64). Tests run under qemu-user (qemu-user-static).
#   cmake -S . -B build/arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DKS_STATIC=ON
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Find packages in the arm64 multiarch folders (/usr/lib/aarch64-linux-gnu), never the host's.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
