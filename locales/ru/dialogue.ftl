nav-dialogue = Диалог
dialogue-tabs-label = Разделы диалога
dialogue-tab-events = Мероприятия
dialogue-tab-receptions = Совместные приёмы
dialogue-tab-priorities = Приоритеты громад
dialogue-tab-commitments = Обязательства
