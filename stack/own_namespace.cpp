#include "stack/own_namespace.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "shared/unique_fd.hpp"

namespace miniweb::stack {
namespace {

std::string system_error(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

std::optional<std::uint64_t> namespace_inode(const char* path) {
  struct stat status {};
  if (::stat(path, &status) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(status.st_ino);
}

Status write_proc_file(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0 || !write_all(fd.get(), text)) return make_error(system_error(path));
  return Ok{};
}

// One rtnetlink request, its body built by the caller after the netlink header; the kernel's
// acknowledgement read back (NLM_F_ACK), its error returned as ours.
class NetlinkRequest {
 public:
  NetlinkRequest(std::uint16_t type, std::uint16_t flags) {
    nlmsghdr header{};
    header.nlmsg_type = type;
    header.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
    header.nlmsg_seq = 1;
    append(&header, sizeof header);
  }

  template <class Fixed>
  void fixed(const Fixed& body) {
    append(&body, sizeof body);
  }

  void attribute(std::uint16_t type, const void* data, std::size_t size) {
    rtattr attribute{};
    attribute.rta_type = type;
    attribute.rta_len = static_cast<std::uint16_t>(RTA_LENGTH(size));
    append(&attribute, sizeof attribute);
    append(data, size);
  }

  Status send(const std::string& what) {
    const auto length = static_cast<std::uint32_t>(bytes_.size());
    std::memcpy(bytes_.data() + offsetof(nlmsghdr, nlmsg_len), &length, sizeof length);
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (fd.get() < 0) return make_error(system_error("netlink socket"));
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd.get(), bytes_.data(), bytes_.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel) < 0)
      return make_error(system_error(what));
    std::vector<std::uint8_t> reply(8192);
    const ssize_t got = ::recv(fd.get(), reply.data(), reply.size(), 0);
    if (got < static_cast<ssize_t>(NLMSG_LENGTH(sizeof(nlmsgerr))))
      return make_error(system_error(what + ": no acknowledgement"));
    nlmsghdr header{};
    std::memcpy(&header, reply.data(), sizeof header);
    if (header.nlmsg_type != NLMSG_ERROR) return make_error(what + ": an unexpected reply");
    nlmsgerr error{};
    std::memcpy(&error, reply.data() + NLMSG_HDRLEN, sizeof error);
    if (error.error != 0) return make_error(what + ": " + std::strerror(-error.error));
    return Ok{};
  }

 private:
  void append(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    bytes_.insert(bytes_.end(), bytes, bytes + size);
    bytes_.resize(NLMSG_ALIGN(bytes_.size()));
  }

  std::vector<std::uint8_t> bytes_;
};

Result<int> interface_index(const std::string& interface) {
  const unsigned index = ::if_nametoindex(interface.c_str());
  if (index == 0) return make_error(system_error("interface " + interface));
  return static_cast<int>(index);
}

// The user namespace's capabilities this thread keeps across execve, for the programs an
// experiment runs inside (iptables, the link emulator, tcpdump): ambient capabilities survive
// the exec of a program without file capabilities (capabilities(7)).
Status keep_network_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return make_error(system_error("capget"));
  for (int capability : {CAP_NET_ADMIN, CAP_NET_RAW})
    data[CAP_TO_INDEX(capability)].inheritable |= CAP_TO_MASK(capability);
  if (::syscall(SYS_capset, &header, data) != 0) return make_error(system_error("capset"));
  for (int capability : {CAP_NET_ADMIN, CAP_NET_RAW})
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, capability, 0, 0) != 0)
      return make_error(
          system_error("keeping CAP_NET_ADMIN and CAP_NET_RAW for the programs run inside"));
  return Ok{};
}

}  // namespace

Result<OwnNamespace> enter_own_network_namespace(unsigned tcp_hash_buckets) {
  OwnNamespace result;
  auto before = namespace_inode("/proc/thread-self/ns/net");
  if (!before) return make_error(system_error("/proc/thread-self/ns/net"));
  result.started_in = *before;
  const uid_t uid = ::getuid();
  const gid_t gid = ::getgid();
  // Root makes a network namespace alone; anyone else (or a root without CAP_SYS_ADMIN) first
  // a user namespace, in which it is root, then the network namespace that belongs to it.
  if (::geteuid() != 0 || ::unshare(CLONE_NEWNET) != 0) {
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
      return make_error(system_error(
          "cannot make a network namespace (unshare of a user and a network namespace; this "
          "kernel may not let users without root make one: run it as root)"));
    result.way = NamespaceWay::UserAndNetwork;
    // A user without root may map only itself, and only once setgroups is denied. Mapped to
    // itself, not to the namespace's root: the capabilities over the namespace are the
    // creator's all the same, and a program started there (tcpdump) does not take itself for
    // root and try to drop privileges it cannot.
    const std::string uid_text = std::to_string(uid);
    const std::string gid_text = std::to_string(gid);
    for (auto [file, text] : {std::pair{"/proc/self/setgroups", std::string("deny")},
                              std::pair{"/proc/self/uid_map", uid_text + " " + uid_text + " 1"},
                              std::pair{"/proc/self/gid_map", gid_text + " " + gid_text + " 1"}})
      if (auto written = write_proc_file(file, text); !written) return written.error();
    if (auto kept = keep_network_capabilities(); !kept) return kept.error();
  }
  // The sysctl is read when a namespace is made, from the namespace it is made in.
  if (tcp_hash_buckets > 0 &&
      write_sysctl("net/ipv4/tcp_child_ehash_entries", std::to_string(tcp_hash_buckets)) &&
      ::unshare(CLONE_NEWNET) != 0)
    return make_error(system_error("unshare(CLONE_NEWNET) inside the first namespace"));
  if (auto buckets = read_sysctl("net/ipv4/tcp_ehash_entries"))
    result.tcp_hash_buckets = std::atol(buckets->c_str());
  auto after = namespace_inode("/proc/thread-self/ns/net");
  if (!after) return make_error(system_error("/proc/thread-self/ns/net"));
  result.inode = *after;
  result.pid1_inode = namespace_inode("/proc/1/ns/net");
  if (result.inode == result.started_in ||
      (result.pid1_inode && result.inode == *result.pid1_inode))
    return make_error("refusing to run: the network namespace is still the host's (net:[" +
                      std::to_string(result.inode) + "])");
  return result;
}

Result<std::string> read_sysctl(const std::string& name) {
  std::ifstream in("/proc/sys/" + name);
  std::string value;
  if (!(in >> value)) return make_error("cannot read /proc/sys/" + name);
  return value;
}

Status write_sysctl(const std::string& name, const std::string& value) {
  if (auto written = write_proc_file("/proc/sys/" + name, value + "\n"); !written) return written;
  auto read = read_sysctl(name);
  if (!read) return read.error();
  if (*read != value)
    return make_error("/proc/sys/" + name + " reads " + *read + " after writing " + value);
  return Ok{};
}

Status bring_interface_up(const std::string& interface) {
  auto index = interface_index(interface);
  if (!index) return index.error();
  NetlinkRequest request(RTM_NEWLINK, 0);
  ifinfomsg link{};
  link.ifi_family = AF_UNSPEC;
  link.ifi_index = *index;
  link.ifi_flags = IFF_UP;
  link.ifi_change = IFF_UP;
  request.fixed(link);
  return request.send("bringing " + interface + " up");
}

Status add_address(const std::string& interface, Address address, unsigned prefix_length) {
  auto index = interface_index(interface);
  if (!index) return index.error();
  NetlinkRequest request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  ifaddrmsg message{};
  message.ifa_family = AF_INET;
  message.ifa_prefixlen = static_cast<std::uint8_t>(prefix_length);
  message.ifa_index = static_cast<std::uint32_t>(*index);
  request.fixed(message);
  const std::uint32_t raw = htonl(address);
  request.attribute(IFA_LOCAL, &raw, sizeof raw);
  request.attribute(IFA_ADDRESS, &raw, sizeof raw);
  return request.send("adding " + address_text(address) + " to " + interface);
}

Status add_route(Address network, unsigned prefix_length, const std::string& interface) {
  auto index = interface_index(interface);
  if (!index) return index.error();
  NetlinkRequest request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  rtmsg route{};
  route.rtm_family = AF_INET;
  route.rtm_dst_len = static_cast<std::uint8_t>(prefix_length);
  route.rtm_table = RT_TABLE_MAIN;
  route.rtm_protocol = RTPROT_STATIC;
  route.rtm_scope = RT_SCOPE_LINK;
  route.rtm_type = RTN_UNICAST;
  request.fixed(route);
  const std::uint32_t raw = htonl(network);
  request.attribute(RTA_DST, &raw, sizeof raw);
  const std::uint32_t out = static_cast<std::uint32_t>(*index);
  request.attribute(RTA_OIF, &out, sizeof out);
  return request.send("routing " + address_text(network) + "/" + std::to_string(prefix_length) +
                      " to " + interface);
}

}  // namespace miniweb::stack
