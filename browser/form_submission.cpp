#include "browser/form_submission.hpp"

#include <cctype>

#include "browser/exit_codes.hpp"
#include "browser/forms/encodings.hpp"
#include "browser/forms/entry_list.hpp"
#include "browser/forms/multipart.hpp"
#include "shared/read_file.hpp"

namespace miniweb::browser {
namespace {

using forms::ControlKind;
using forms::Entry;

// A file chosen for an <input type=file>: a regular file, read whole.
Result<std::string> read_upload(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return make_error("cannot send " + path.string() + ": not a readable file",
                      exit_code::kFileUnreadable);
  auto bytes = read_file(path);
  if (!bytes)
    return make_error("cannot send " + path.string() + ": " + bytes.error().message,
                      exit_code::kFileUnreadable);
  return bytes;
}

// A file's Content-Type by its extension, as browsers take it from the system's table.
std::string upload_media_type(const std::filesystem::path& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".png", "image/png"},       {".jpg", "image/jpeg"},      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},       {".webp", "image/webp"},     {".svg", "image/svg+xml"},
      {".pdf", "application/pdf"}, {".zip", "application/zip"}, {".gz", "application/gzip"},
      {".css", "text/css"},        {".csv", "text/csv"},        {".js", "text/javascript"},
      {".xml", "application/xml"}, {".mp3", "audio/mpeg"},      {".mp4", "video/mp4"}};
  std::string extension = path.extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [known, type] : kTypes)
    if (extension == known) return type;
  if (extension.empty()) return "application/octet-stream";
  return media_type_for_file(path);
}

SubmittedField field_of(const Entry& entry) {
  SubmittedField field;
  field.name = entry.name;
  field.value = entry.value;
  field.secret = entry.kind == ControlKind::Password;
  field.file = entry.is_file();
  return field;
}

}  // namespace

Result<NavigationRequest> build_submission(const forms::Form& form, std::optional<int> submitter,
                                           const Url& document_url, const Url& base) {
  if (submitter) {
    if (*submitter < 0 || *submitter >= static_cast<int>(form.controls.size()) ||
        form.controls[static_cast<std::size_t>(*submitter)].kind != ControlKind::Submit)
      return make_error(
          "control " + std::to_string(*submitter + 1) + " of the form is not a submit button",
          exit_code::kUsage);
    if (form.controls[static_cast<std::size_t>(*submitter)].disabled)
      return make_error("the submit button is disabled", exit_code::kUsage);
  } else {
    // Implicit submission (HTML §4.10.21.2) clicks the default button, when there is one.
    submitter = form.default_button();
    if (submitter && form.controls[static_cast<std::size_t>(*submitter)].disabled)
      return make_error("the form's default button is disabled", exit_code::kUsage);
  }
  if (form.method == "dialog")
    return make_error("the form closes a dialog (method=dialog): nothing is sent",
                      exit_code::kUsage);

  // Steps 8 to 11: the action, resolved against the document's base URL; none: the document.
  Url action = document_url;
  if (!form.action.empty()) {
    auto resolved = base.resolve(form.action);
    if (!resolved)
      return make_error(
          "the form's action '" + form.action + "' is not a URL: " + resolved.error().message,
          exit_code::kUrlMalformed);
    action = std::move(*resolved);
  }
  const std::vector<Entry> entries = forms::construct_entry_list(form, submitter);

  NavigationRequest request;
  request.initiator = document_url;
  for (const Entry& entry : entries) request.fields.push_back(field_of(entry));
  // Step 24: file: URLs are navigated to without the form's data ("get action URL").
  if (action.scheme == "file") {
    request.url = std::move(action);
    request.fields.clear();
    return request;
  }
  if (action.scheme != "http" && action.scheme != "https")
    return make_error("cannot submit a form to " + action.scheme + ": URLs", exit_code::kUsage);

  if (form.method == "get") {
    // "Mutate action URL": the entry list, urlencoded, replaces the action's query.
    action.query = forms::urlencoded_body(entries);
    request.url = std::move(action);
    return request;
  }
  request.method = "POST";
  request.url = std::move(action);
  if (form.enctype == "multipart/form-data") {
    std::vector<forms::MultipartPart> parts;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const Entry& entry = entries[i];
      forms::MultipartPart part{entry.name, entry.value, std::nullopt};
      if (entry.is_file()) {
        forms::MultipartFile file;
        file.filename = entry.value;
        if (!entry.file->empty()) {
          auto bytes = read_upload(*entry.file);
          if (!bytes) return bytes.error();
          file.bytes = std::move(*bytes);
          file.content_type = upload_media_type(*entry.file);
        }
        request.fields[i].file_type = file.content_type;
        request.fields[i].file_bytes = file.bytes.size();
        part.file = std::move(file);
      }
      parts.push_back(std::move(part));
    }
    const std::string boundary = forms::choose_boundary(parts);
    request.body = forms::multipart_body(parts, boundary);
    request.content_type = "multipart/form-data; boundary=" + boundary;
  } else if (form.enctype == "text/plain") {
    request.body = forms::text_plain_body(entries);
    request.content_type = "text/plain;charset=UTF-8";
  } else {
    request.body = forms::urlencoded_body(entries);
    request.content_type = "application/x-www-form-urlencoded";
  }
  return request;
}

Result<NavigationRequest> submit_form(const Page& page, int form, std::optional<int> submitter) {
  const auto& all = page.forms.forms;
  if (form < 0 || form >= static_cast<int>(all.size()))
    return make_error("the page has no form " + std::to_string(form + 1) + " (it has " +
                          std::to_string(all.size()) + ")",
                      exit_code::kUsage);
  return build_submission(all[static_cast<std::size_t>(form)], submitter, page.url, base_url(page));
}

std::optional<std::string> insecure_submission_warning(const Url& document_url,
                                                       const NavigationRequest& request) {
  if (document_url.scheme != "https" || request.url.scheme != "http") return std::nullopt;
  return "this form on a secure page (" + origin_of(document_url) + ") is sent to " +
         origin_of(request.url) +
         " over plain http://: anyone on the way can read and change what it sends";
}

std::optional<std::string> resubmission_question(const NavigationRequest& entry) {
  if (!entry.is_post()) return std::nullopt;
  return "This page came from a form sent to " + entry.url.to_string() +
         ". Send the form again? (a purchase or a message would be repeated)";
}

}  // namespace miniweb::browser
