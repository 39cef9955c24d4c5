# keepalived-swarm: one static binary, three roles (anchor, float, buoy), one image.
#   docker build -t keepalived-swarm .
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/keepalived-swarm:TAG --push .
# The build stage runs on the build machine (amd64) and compiles with Debian's Boost 1.81, for
# arm64 with Debian's cross compiler and arm64 Boost packages, running the unit tests under qemu;
# the image itself holds only the statically linked binary.

# BuildKit sets BUILDPLATFORM; the default serves builders that do not (Docker 20.10's own).
ARG BUILDPLATFORM=linux/amd64
FROM --platform=$BUILDPLATFORM debian:bookworm-slim AS build
ARG TARGETARCH
RUN set -e; \
    case "${TARGETARCH:-amd64}" in \
      amd64) packages="g++ libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev" ;; \
      arm64) dpkg --add-architecture arm64; \
             packages="g++-aarch64-linux-gnu qemu-user-static libboost1.81-dev:arm64 \
                       libboost-json1.81-dev:arm64 libboost-program-options1.81-dev:arm64" ;; \
      *) echo "no build for $TARGETARCH: linux/amd64 and linux/arm64 only" >&2; exit 1 ;; \
    esac; \
    apt-get update; \
    apt-get install -y --no-install-recommends cmake ninja-build catch2 $packages; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY include include
COPY src src
COPY roles roles
COPY tests tests
# MinSizeRel (-Os): the executable's own pages are most of a float's memory, and -Os makes its
# code 3.4 MB instead of -O3's 4.8 (bench/float/instances.sh measures both memory and CPU).
RUN set -e; \
    cross=""; strip=strip; run=""; \
    if [ "${TARGETARCH:-amd64}" = arm64 ]; then \
      cross=-DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake; \
      strip=aarch64-linux-gnu-strip; run=qemu-aarch64-static; \
    fi; \
    cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=MinSizeRel -DKS_STATIC=ON $cross; \
    cmake --build /build --target keepalived-swarm ks_unit_tests; \
    ctest --test-dir /build -L unit --output-on-failure --timeout 120 -j "$(nproc)"; \
    $strip -o /keepalived-swarm /build/keepalived-swarm; \
    $run /keepalived-swarm --version

FROM scratch
COPY --from=build /keepalived-swarm /usr/local/bin/keepalived-swarm
ENTRYPOINT ["/usr/local/bin/keepalived-swarm"]
CMD ["--help"]
