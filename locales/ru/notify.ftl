# Письма сотрудникам. Никогда не содержат контактов заявителя или описания: только номер
# обращения, организацию, срок и ссылку.
notify-referral-created-subject = Обращение {$reference} передано вашей организации
notify-referral-created-body = Платформа передала обращение {$reference} организации «{$organization}». Примите его к рассмотрению и дайте ответ до {$due}.
notify-referral-escalated-subject = Передача обращения {$reference} просрочена
notify-referral-escalated-body = Организация «{$organization}» не ответила на обращение {$reference} в установленный срок ({$due}). Передача отмечена как эскалированная: свяжитесь с организацией.
notify-referral-escalated-head-subject = Просрочен ответ на обращение {$reference}
notify-referral-escalated-head-body = Срок ответа вашей организации («{$organization}») на обращение {$reference} истёк {$due}, а ответа ещё нет. Просим обеспечить рассмотрение и дать ответ как можно скорее.
notify-open = Открыть: {$link}
notify-footer = Это автоматическое письмо платформы «{$platform}», отвечать на него не нужно. Данные заявителя в письмах не передаются: подробности — на платформе после входа.
