#pragma once
// HTML §4.10.21.3, the form submission algorithm: a form of a page, in its current state,
// and the button it was submitted with, to the navigation request that sends it. The faces
// call submit_form when a user presses a submit button (or Enter in a field); --submit calls
// it after --fill.

#include <optional>
#include <string>

#include "browser/forms/form_model.hpp"
#include "browser/navigator.hpp"
#include "browser/net/navigation_request.hpp"
#include "shared/result.hpp"

namespace miniweb::browser {

// Form number `form` (0-based) of `page`, submitted with the submit button `submitter` (its
// control index; none: implicit submission, which uses the form's default button when it has
// one). GET puts the entry list in the action's query (replacing it); POST sends it as the
// body, urlencoded, multipart (files read now) or text/plain. The action resolves against the
// page's base URL; an empty action is the page's own URL. Errors: no such form or button, a
// file that cannot be read (exit_code::kFileUnreadable), an action that cannot be submitted to.
Result<NavigationRequest> submit_form(const Page& page, int form,
                                      std::optional<int> submitter = std::nullopt);

// The same from its parts: the form, the document's URL and its base URL.
Result<NavigationRequest> build_submission(const forms::Form& form, std::optional<int> submitter,
                                           const Url& document_url, const Url& base);

// A form on an https page that sends to http:// sends its fields in the clear: browsers warn
// first. The warning's words when `request` does so, none otherwise.
std::optional<std::string> insecure_submission_warning(const Url& document_url,
                                                       const NavigationRequest& request);

// A history entry that came from a POST is sent again only when the user says so (reload,
// back, forward): the question a face asks. None when the entry can simply be loaded again.
std::optional<std::string> resubmission_question(const NavigationRequest& entry);

}  // namespace miniweb::browser
