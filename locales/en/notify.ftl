# E-mails to staff. Never the reporter's contact or description: only the case's reference, the
# organization, the due date and a link.
notify-referral-created-subject = Case {$reference} was referred to your organization
notify-referral-created-body = The platform referred case {$reference} to {$organization}. Please accept it and answer by {$due}.
notify-referral-escalated-subject = Referral of case {$reference} is overdue
notify-referral-escalated-body = {$organization} did not answer case {$reference} by its due date ({$due}). The referral is marked as escalated: please contact the organization.
notify-referral-escalated-head-subject = Answer on case {$reference} is overdue
notify-referral-escalated-head-body = Your organization ({$organization}) was due to answer case {$reference} by {$due}, and no answer has been given yet. Please make sure it is handled and answered as soon as possible.
notify-open = Open: {$link}
notify-footer = This is an automatic message of {$platform}; there is no need to reply. No reporter's data is ever sent by e-mail: the details are on the platform after signing in.
