#include "server/upstream.hpp"

#include <array>

#include "server/error_log.hpp"
#include "server/static_files.hpp"
#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/http/parser.hpp"
#include "shared/http/response_reader.hpp"

namespace miniweb::server {

using asio::ip::tcp;

Balancer::Balancer(BalanceMethod method, const std::vector<int>& weights, int max_fails,
                   Clock::duration fail_timeout)
    : method_(method), max_fails_(max_fails), fail_timeout_(fail_timeout) {
  for (int weight : weights) peers_.push_back(Peer{.weight = weight});
}

// nginx's smooth weighted round robin: every candidate gains its weight, the largest is
// chosen and loses the total. Weights 3:1:1 give a b a c a, never three a's in a row.
std::optional<std::size_t> Balancer::smooth_weighted(const std::vector<std::size_t>& candidates) {
  std::optional<std::size_t> best;
  int total = 0;
  for (std::size_t i : candidates) {
    peers_[i].current_weight += peers_[i].weight;
    total += peers_[i].weight;
    if (!best || peers_[i].current_weight > peers_[*best].current_weight) best = i;
  }
  if (best) peers_[*best].current_weight -= total;
  return best;
}

std::optional<std::size_t> Balancer::pick(const std::vector<bool>& tried, Clock::time_point now) {
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < peers_.size(); ++i)
    if (!tried[i] && available(i, now)) candidates.push_back(i);
  if (candidates.empty()) return std::nullopt;
  switch (method_) {
    case BalanceMethod::RoundRobin: {
      for (std::size_t step = 0; step < peers_.size(); ++step) {
        std::size_t i = (next_ + step) % peers_.size();
        if (std::find(candidates.begin(), candidates.end(), i) != candidates.end()) {
          next_ = i + 1;
          return i;
        }
      }
      return std::nullopt;
    }
    case BalanceMethod::WeightedRoundRobin:
      return smooth_weighted(candidates);
    case BalanceMethod::LeastConnections: {
      // Fewest active requests per unit of weight (a/wa < b/wb compared as a*wb < b*wa);
      // ties are broken by smooth weighted round robin, as nginx's least_conn does.
      std::vector<std::size_t> least;
      for (std::size_t i : candidates) {
        if (least.empty()) {
          least.push_back(i);
          continue;
        }
        const Peer& p = peers_[i];
        const Peer& b = peers_[least.front()];
        const long lhs = static_cast<long>(p.active) * b.weight;
        const long rhs = static_cast<long>(b.active) * p.weight;
        if (lhs < rhs)
          least.assign(1, i);
        else if (lhs == rhs)
          least.push_back(i);
      }
      return smooth_weighted(least);
    }
  }
  return std::nullopt;
}

void Balancer::failed(std::size_t server, Clock::time_point now) {
  Peer& peer = peers_[server];
  if (peer.fails == 0 || now - peer.first_failure > fail_timeout_) {
    peer.fails = 0;
    peer.first_failure = now;
  }
  if (++peer.fails >= max_fails_) {
    peer.out_until = now + fail_timeout_;
    peer.fails = 0;
  }
}

namespace {

bool is_idempotent(std::string_view method) {
  // RFC 9110 section 9.2.2.
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
         method == "DELETE" || method == "TRACE";
}

// RFC 9110 section 7.6.1: hop-by-hop fields, and those the Connection field names, are not
// forwarded.
void remove_hop_by_hop(http::Headers& headers) {
  std::vector<std::string> named;
  for (std::string_view value : headers.get_all("Connection")) {
    while (!value.empty()) {
      auto comma = value.find(',');
      std::string_view token = value.substr(0, comma);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
      if (!token.empty()) named.emplace_back(token);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  for (const std::string& name : named) headers.remove(name);
  for (std::string_view name :
       {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding",
        "Upgrade", "Proxy-Authorization", "Proxy-Authenticate"})
    headers.remove(name);
}

std::string upstream_request(const http::Request& request, const ForwardContext& context) {
  http::Request out{request.method, request.target, 1, request.headers, {}};
  remove_hop_by_hop(out.headers);
  out.headers.remove("Expect");
  out.headers.remove("Content-Length");
  // X-Forwarded-For lists every hop's client, the nearest last.
  std::string forwarded_for;
  for (std::string_view value : request.headers.get_all("X-Forwarded-For"))
    forwarded_for += std::string(value) + ", ";
  out.headers.set("X-Forwarded-For", forwarded_for + context.client_address);
  out.headers.set("X-Forwarded-Proto", context.tls ? "https" : "http");
  if (auto host = request.headers.get("Host"))
    out.headers.set("X-Forwarded-Host", std::string(*host));
  // RFC 9110 section 7.6.3.
  std::string via;
  for (std::string_view value : request.headers.get_all("Via")) via += std::string(value) + ", ";
  const std::string version =
      request.version_major == 2 ? "2" : "1." + std::to_string(request.version_minor);
  out.headers.set("Via", via + version + " " + context.via_name);
  // RFC 8470 section 5.1: the server behind learns that the request may be a replay, and may
  // answer 425 Too Early.
  if (context.early_data) out.headers.set("Early-Data", "1");
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH")
    out.headers.set("Content-Length", std::to_string(request.body.size()));
  std::string wire = out.serialize();
  wire += request.body;
  return wire;
}

}  // namespace

UpstreamGroup::UpstreamGroup(asio::any_io_executor executor, const UpstreamConfig& config)
    : executor_(std::move(executor)),
      config_(config),
      balancer_(
          config.balance,
          [&] {
            std::vector<int> weights;
            for (const auto& server : config.servers) weights.push_back(server.weight);
            return weights;
          }(),
          config.max_fails, config.fail_timeout) {
  for (const auto& server : config.servers)
    endpoints_.emplace_back(asio::ip::make_address(server.address), server.port);
  idle_.resize(endpoints_.size());
}

UpstreamGroup::~UpstreamGroup() = default;

void UpstreamGroup::close_idle() {
  for (auto& connections : idle_) {
    for (auto& connection : connections) {
      std::error_code ignored;
      connection.socket->close(ignored);
    }
    connections.clear();
  }
}

void UpstreamGroup::keep_idle(std::size_t server, std::unique_ptr<tcp::socket> socket) {
  const std::uint64_t id = next_idle_id_++;
  tcp::socket& watched = *socket;
  idle_[server].push_back({std::move(socket), id});
  watched.async_wait(tcp::socket::wait_read, [this, alive = std::weak_ptr<int>(alive_), server,
                                              id](const std::error_code& ec) {
    // Aborted: taken for a request (its watch cancelled), or closed with the group.
    if (ec == asio::error::operation_aborted || alive.expired()) return;
    std::erase_if(idle_[server], [id](const IdleConnection& idle) { return idle.id == id; });
  });
}

asio::awaitable<http::Response> UpstreamGroup::forward(const http::Request& request,
                                                       const ForwardContext& context) {
  const std::string wire = upstream_request(request, context);
  const bool idempotent = is_idempotent(request.method);
  std::vector<bool> tried(endpoints_.size(), false);
  int failure_status = 502;
  std::string failure = "no upstream server of '" + config_.name + "' is available";
  while (true) {
    auto server = balancer_.pick(tried, Balancer::Clock::now());
    if (!server) break;
    tried[*server] = true;
    http::Response response;
    balancer_.started(*server);
    Outcome outcome = co_await exchange(*server, wire, request.method, response);
    balancer_.finished(*server);
    const std::string where = endpoints_[*server].address().to_string() + ":" +
                              std::to_string(endpoints_[*server].port());
    if (outcome == Outcome::Ok) {
      balancer_.succeeded(*server);
      remove_hop_by_hop(response.headers);
      if (request.method != "HEAD") response.headers.remove("Content-Length");
      std::string via;
      for (std::string_view value : response.headers.get_all("Via"))
        via += std::string(value) + ", ";
      response.headers.set("Via", via + "1.1 " + context.via_name);
      co_return response;
    }
    balancer_.failed(*server, Balancer::Clock::now());
    switch (outcome) {
      case Outcome::ConnectFailed:
        failure = "cannot connect to upstream " + where;
        failure_status = 502;
        break;
      case Outcome::TimedOut:
        failure = "upstream " + where + " timed out";
        failure_status = 504;
        break;
      case Outcome::BadResponse:
        failure = "upstream " + where + " sent an invalid response";
        failure_status = 502;
        break;
      default:
        failure = "upstream " + where + " closed the connection";
        failure_status = 502;
    }
    log_event(LogLevel::Error, failure + " while proxying to '" + config_.name +
                                   "', client: " + context.client_address + ", request: \"" +
                                   request.method + " " + request.target + "\"");
    // Nothing was sent when the connection failed; otherwise only idempotent requests may be
    // repeated (RFC 9110 section 9.2.2).
    if (outcome != Outcome::ConnectFailed && !idempotent) break;
    if (outcome == Outcome::BadResponse) break;
  }
  http::Response refused = error_response(failure_status, failure);
  if (context.site) use_error_page(*context.site, refused);
  co_return refused;
}

asio::awaitable<UpstreamGroup::Outcome> UpstreamGroup::exchange(std::size_t server,
                                                                const std::string& wire,
                                                                const std::string& method,
                                                                http::Response& response) {
  std::unique_ptr<tcp::socket> socket;
  if (!idle_[server].empty()) {
    socket = std::move(idle_[server].back().socket);
    idle_[server].pop_back();
    std::error_code ignored;
    socket->cancel(ignored);  // ends its watch (keep_idle)
  }
  bool reused = socket != nullptr;
  std::shared_ptr<SocketDeadline> deadline;
  auto give_up = [&](Outcome outcome) {
    if (deadline) deadline->stop();
    deadline.reset();
    std::error_code ignored;
    if (socket) socket->close(ignored);
    socket.reset();
    return outcome;
  };

  while (true) {
    if (!socket) {
      reused = false;
      socket = std::make_unique<tcp::socket>(executor_);
      deadline = SocketDeadline::start(*socket);
      deadline->arm(config_.connect_timeout);
      if (!config_.bind.empty()) {
        std::error_code bind_ec;
        socket->open(endpoints_[server].protocol(), bind_ec);
        if (!bind_ec)
          socket->bind(tcp::endpoint(asio::ip::make_address(config_.bind, bind_ec), 0), bind_ec);
        if (bind_ec) co_return give_up(Outcome::ConnectFailed);
      }
      auto [ec] = co_await socket->async_connect(endpoints_[server], use_tuple);
      if (ec) co_return give_up(Outcome::ConnectFailed);
      std::error_code option_ec;
      socket->set_option(tcp::no_delay(true), option_ec);
    } else {
      deadline = SocketDeadline::start(*socket);
    }
    deadline->arm(config_.read_timeout);
    auto [write_ec, written] = co_await asio::async_write(*socket, asio::buffer(wire), use_tuple);
    if (write_ec) {
      if (deadline->expired()) co_return give_up(Outcome::TimedOut);
      if (reused) {  // a kept-alive connection the upstream had closed: try a fresh one
        give_up(Outcome::SendFailed);
        continue;
      }
      co_return give_up(Outcome::SendFailed);
    }

    std::string buffer;
    const http::ResponseLimits limits{.max_head_bytes = 65536,
                                      .max_body_bytes = config_.max_response_bytes};
    auto received = co_await http::read_response(*socket, buffer, *deadline, method, limits);
    if (!received) {
      switch (http::failure_of(received.error())) {
        case http::ResponseFailure::TimedOut:
          co_return give_up(Outcome::TimedOut);
        case http::ResponseFailure::NoResponse:
          // A pooled connection the upstream had closed meanwhile: try a fresh one.
          if (reused) {
            give_up(Outcome::ReadFailed);
            continue;
          }
          co_return give_up(Outcome::BadResponse);
        case http::ResponseFailure::CutShort:
          co_return give_up(Outcome::ReadFailed);
        case http::ResponseFailure::Malformed:
        case http::ResponseFailure::TooLarge:
          break;
      }
      co_return give_up(Outcome::BadResponse);
    }
    response = std::move(received->response);
    const bool keep_alive = received->reusable;
    deadline->stop();
    deadline.reset();
    if (keep_alive && buffer.empty() && idle_[server].size() < config_.keepalive) {
      keep_idle(server, std::move(socket));
    } else {
      std::error_code ignored;
      socket->close(ignored);
    }
    co_return Outcome::Ok;
  }
}

UpstreamGroups make_upstream_groups(asio::any_io_executor executor,
                                    const std::vector<UpstreamConfig>& configs) {
  UpstreamGroups groups;
  for (const UpstreamConfig& config : configs)
    groups.emplace(config.name, std::make_unique<UpstreamGroup>(executor, config));
  return groups;
}

}  // namespace miniweb::server
