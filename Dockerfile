# keepalived-swarm: one static binary, three roles (anchor, float, buoy), one image.
#   docker build -t keepalived-swarm .
# The build stage compiles with Debian's Boost 1.81 and runs the unit tests; the image itself
# holds only the statically linked binary.

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      cmake ninja-build g++ catch2 \
      libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY include include
COPY src src
COPY roles roles
COPY tests tests
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKS_STATIC=ON \
 && cmake --build /build --target keepalived-swarm ks_unit_tests \
 && ctest --test-dir /build -L unit --output-on-failure --timeout 60 -j "$(nproc)" \
 && strip -o /keepalived-swarm /build/keepalived-swarm \
 && /keepalived-swarm --version

FROM scratch
COPY --from=build /keepalived-swarm /usr/local/bin/keepalived-swarm
ENTRYPOINT ["/usr/local/bin/keepalived-swarm"]
CMD ["--help"]
